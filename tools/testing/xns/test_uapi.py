# SPDX-License-Identifier: GPL-2.0
"""The Rust mirror of the UAPI (rust/uapi.rs) must match the C header.

The header is what userspace compiles against; the module cannot run
bindgen on it out of tree, so it keeps a hand-written mirror, and this test
is what stops the two from drifting.
"""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
HEADER = os.path.join(TOP, 'include', 'uapi', 'linux', 'xns.h')
MIRROR = os.path.join(TOP, 'rust', 'uapi.rs')

IOC_C = re.compile(r'^#define\s+(XNS_IOC_\w+)\s+_IO(W|R|WR)?\(XNS_IOC_MAGIC,\s*(\d+)'
                   r'(?:,\s*struct\s+(\w+))?\)', re.M)
IOC_RS = re.compile(r'const\s+(XNS_IOC_\w+):\s*u32\s*=\s*_IO(W|R|WR)?'
                    r'(?:::<(\w+)>)?\(XNS_IOC_MAGIC,\s*(\d+)\)')
NUM_C = re.compile(r'^#define\s+(XNS_\w+)\s+(0x[0-9a-fA-F]+|\d+)\s*$', re.M)
NUM_RS = re.compile(r'const\s+(XNS_\w+):\s*\w+\s*=\s*(0x[0-9a-fA-F]+|\d+);')
SIZE_RS = re.compile(r'size_of::<(\w+)>\(\)\s*==\s*(\d+)')
OFFSET_RS = re.compile(r'offset_of!\((\w+),\s*(\w+)\)\s*==\s*(\d+)')


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


class UapiMirrorTest(unittest.TestCase):
    """Compare rust/uapi.rs with include/uapi/linux/xns.h."""

    @classmethod
    def setUpClass(cls):
        cls.header = read(HEADER)
        cls.mirror = read(MIRROR)

    def test_constants(self):
        c = {k: int(v, 0) for k, v in NUM_C.findall(self.header)}
        rs = {k: int(v, 0) for k, v in NUM_RS.findall(self.mirror)}
        self.assertIn('XNS_NS_TYPE', c)
        self.assertEqual(c, rs)

    def test_ioctls(self):
        c = {name: (d or '', int(nr), s or None)
             for name, d, nr, s in IOC_C.findall(self.header)}
        rs = {name: (d or '', int(nr), s or None)
              for name, d, s, nr in IOC_RS.findall(self.mirror)}
        self.assertEqual(len(c), 6)
        self.assertEqual(c, rs)

    def test_layout(self):
        """Every size and offset the mirror asserts holds for the C header."""
        gcc = shutil.which('gcc')
        if not gcc:
            self.skipTest('gcc not found')
        checks = [(f'sizeof(struct {s})', int(n)) for s, n in SIZE_RS.findall(self.mirror)]
        checks += [(f'offsetof(struct {s}, {f})', int(n))
                   for s, f, n in OFFSET_RS.findall(self.mirror)]
        self.assertGreaterEqual(len(checks), 3)
        body = ''.join(f'\tprintf("%zu\\n", (size_t){expr});\n' for expr, _ in checks)
        src = ('#include <stddef.h>\n#include <stdio.h>\n#include "xns.h"\n'
               f'int main(void)\n{{\n{body}\treturn 0;\n}}\n')
        with tempfile.TemporaryDirectory() as tmp:
            c_file = os.path.join(tmp, 'layout.c')
            with open(c_file, 'w', encoding='utf-8') as f:
                f.write(src)
            exe = os.path.join(tmp, 'layout')
            subprocess.run([gcc, '-I', os.path.dirname(HEADER), '-o', exe, c_file],
                           check=True)
            out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
        got = [int(x) for x in out.split()]
        for (expr, want), have in zip(checks, got):
            self.assertEqual(have, want, expr)


if __name__ == '__main__':
    unittest.main()
