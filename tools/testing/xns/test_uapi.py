# SPDX-License-Identifier: GPL-2.0
"""The Rust mirrors of the UAPI headers must match the C headers.

The headers are what userspace compiles against; the modules cannot run
bindgen on them out of tree, so each keeps a hand-written mirror, and this
test is what stops the two from drifting: rust/uapi.rs against
include/uapi/linux/xns.h, the `uapi` module of
samples/rust/rust_ns_counter.rs against samples/rust/ns_counter.h, and
likewise every other samples/rust/ns_NAME.h, such as the types that
`make new-type` starts, against samples/rust/rust_ns_NAME.rs.

Both types create namespaces with the nsfs ioctl NS_CREATE_CHILD, not with
an ioctl of their own: command number 0 of each device, which was one, is
retired and must stay unused.
"""

import glob
import os
import re
import shutil
import subprocess
import tempfile
import unittest

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))

SIZE_RS = re.compile(r'size_of::<(\w+)>\(\)\s*==\s*(\d+)')
OFFSET_RS = re.compile(r'offset_of!\((\w+),\s*(\w+)\)\s*==\s*(\d+)')


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


class MirrorTest:
    """Compare a Rust mirror with its C header (a mixin for TestCase)."""

    HEADER = None       # the C header
    MIRROR = None       # the Rust file holding the mirror
    PREFIX = None       # of the constants' names, e.g. 'XNS_'
    MAGIC = None        # name of the ioctl type, e.g. 'XNS_IOC_MAGIC'
    NR_IOCTLS = None    # commands the header defines; None: at least one
    NS_TYPE = None      # name of the ns_type constant

    @classmethod
    def setUpClass(cls):
        cls.header = read(cls.HEADER)
        cls.mirror = read(cls.MIRROR)
        p, m = re.escape(cls.PREFIX), re.escape(cls.MAGIC)
        cls.ioc_c = re.compile(rf'^#define\s+({p}IOC_\w+)\s+_IO(W|R|WR)?\({m},\s*(\d+)'
                               r'(?:,\s*struct\s+(\w+))?\)', re.M)
        cls.ioc_rs = re.compile(rf'const\s+({p}IOC_\w+):\s*u32\s*=\s*_IO(W|R|WR)?'
                                rf'(?:::<(\w+)>)?\({m},\s*(\d+)\)')
        cls.num_c = re.compile(rf'^#define\s+({p}\w+)\s+(0x[0-9a-fA-F]+|\d+)\s*$', re.M)
        cls.num_rs = re.compile(rf'const\s+({p}\w+):\s*\w+\s*=\s*(0x[0-9a-fA-F]+|\d+);')

    def c_ioctls(self):
        return {name: (d or '', int(nr), s or None)
                for name, d, nr, s in self.ioc_c.findall(self.header)}

    def rs_ioctls(self):
        return {name: (d or '', int(nr), s or None)
                for name, d, s, nr in self.ioc_rs.findall(self.mirror)}

    def test_constants(self):
        c = {k: int(v, 0) for k, v in self.num_c.findall(self.header)}
        rs = {k: int(v, 0) for k, v in self.num_rs.findall(self.mirror)}
        self.assertIn(self.NS_TYPE, c)
        self.assertIn(self.MAGIC, c)
        self.assertEqual(c, rs)

    def test_ioctls(self):
        c = self.c_ioctls()
        if self.NR_IOCTLS is None:
            self.assertGreater(len(c), 0)
        else:
            self.assertEqual(len(c), self.NR_IOCTLS)
        self.assertEqual(c, self.rs_ioctls())

    def test_no_creation_ioctl(self):
        """Namespaces are created with NS_CREATE_CHILD; number 0 is retired."""
        for where, ioctls in (('header', self.c_ioctls()), ('mirror', self.rs_ioctls())):
            for name, (_, nr, _) in ioctls.items():
                self.assertNotEqual(nr, 0, f'{where}: {name} uses the retired number 0')
                self.assertNotIn('UNSHARE', name, f'{where}: {name}')

    def test_layout(self):
        """Every size and offset the mirror asserts holds for the C header."""
        gcc = shutil.which('gcc')
        if not gcc:
            self.skipTest('gcc not found')
        checks = [(f'sizeof(struct {s})', int(n)) for s, n in SIZE_RS.findall(self.mirror)]
        checks += [(f'offsetof(struct {s}, {f})', int(n))
                   for s, f, n in OFFSET_RS.findall(self.mirror)]
        self.assertGreaterEqual(len(checks), 2)
        body = ''.join(f'\tprintf("%zu\\n", (size_t){expr});\n' for expr, _ in checks)
        src = ('#include <stddef.h>\n#include <stdio.h>\n'
               f'#include "{os.path.basename(self.HEADER)}"\n'
               f'int main(void)\n{{\n{body}\treturn 0;\n}}\n')
        with tempfile.TemporaryDirectory() as tmp:
            c_file = os.path.join(tmp, 'layout.c')
            with open(c_file, 'w', encoding='utf-8') as f:
                f.write(src)
            exe = os.path.join(tmp, 'layout')
            subprocess.run([gcc, '-I', os.path.dirname(self.HEADER), '-o', exe, c_file],
                           check=True)
            out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
        got = [int(x) for x in out.split()]
        self.assertEqual(len(got), len(checks))
        for (expr, want), have in zip(checks, got):
            self.assertEqual(have, want, expr)


class XnsMirrorTest(MirrorTest, unittest.TestCase):
    """rust/uapi.rs against include/uapi/linux/xns.h."""

    HEADER = os.path.join(TOP, 'include', 'uapi', 'linux', 'xns.h')
    MIRROR = os.path.join(TOP, 'rust', 'uapi.rs')
    PREFIX = 'XNS_'
    MAGIC = 'XNS_IOC_MAGIC'
    NR_IOCTLS = 5
    NS_TYPE = 'XNS_NS_TYPE'


class CounterMirrorTest(MirrorTest, unittest.TestCase):
    """The sample's `uapi` module against samples/rust/ns_counter.h."""

    HEADER = os.path.join(TOP, 'samples', 'rust', 'ns_counter.h')
    MIRROR = os.path.join(TOP, 'samples', 'rust', 'rust_ns_counter.rs')
    PREFIX = 'NS_COUNTER_'
    MAGIC = 'NS_COUNTER_IOC_MAGIC'
    NR_IOCTLS = 2
    NS_TYPE = 'NS_COUNTER_NS_TYPE'


def sample_type_tests():
    """A MirrorTest for each other type in samples/rust (ns_NAME.h, rust_ns_NAME.rs)."""
    samples = os.path.join(TOP, 'samples', 'rust')
    for header in sorted(glob.glob(os.path.join(samples, 'ns_*.h'))):
        name = os.path.basename(header)[len('ns_'):-len('.h')]
        mirror = os.path.join(samples, f'rust_ns_{name}.rs')
        if name == 'counter' or not os.path.isfile(mirror):
            continue
        up = name.upper()
        cls = f'SampleMirrorTest_{name}'
        globals()[cls] = type(cls, (MirrorTest, unittest.TestCase), {
            '__doc__': f'samples/rust/rust_ns_{name}.rs against samples/rust/ns_{name}.h.',
            'HEADER': header, 'MIRROR': mirror, 'PREFIX': f'NS_{up}_',
            'MAGIC': f'NS_{up}_IOC_MAGIC', 'NS_TYPE': f'NS_{up}_NS_TYPE'})


sample_type_tests()


if __name__ == '__main__':
    unittest.main()
