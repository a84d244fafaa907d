#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Start a new namespace type as a copy of the counter sample.

    make new-type NAME=foo NS_TYPE=0x10 [MAGIC=0xbb]
    python3 samples/rust/new-type.py [--magic 0xbb] foo 0x10

writes samples/rust/rust_ns_foo.rs (module rust_ns_foo, namespace type
"foo", /proc/<pid>/ns/foo, /dev/ns_foo) and samples/rust/ns_foo.h (its
UAPI), and adds the module to samples/rust/Kbuild.  The copy is the counter
sample with every spelling of its name replaced (counter, Counter, COUNTER),
its ns_type and its ioctl type byte: a type that builds, loads and works as
the sample does, to be changed from there (Documentation/xns/
writing-a-type.rst).

Refused, with nothing written: a name that is not a lower-case identifier of
at most NS_EXT_NAME_MAX (32) characters, the name of a built-in type or of a
type in this tree, one that would clash with a name the sample uses; an
NS_TYPE that is not one CSIGNAL bit, or that a type in this tree (or the
registration test module) uses; a MAGIC that this tree uses.
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
SAMPLES = os.path.join('samples', 'rust')
TEMPLATE_RS = os.path.join(SAMPLES, 'rust_ns_counter.rs')
TEMPLATE_H = os.path.join(SAMPLES, 'ns_counter.h')
KBUILD = os.path.join(SAMPLES, 'Kbuild')
TEMPLATE_NAME = 'counter'

# NS_EXT_NAME_MAX: what proc_ns_readlink()'s buffer holds (patches/0005).
NAME_MAX = 32
# The entries of /proc/<pid>/ns of the built-in types: registration
# refuses them (EEXIST).
BUILTIN_NAMES = {'cgroup', 'ipc', 'mnt', 'net', 'pid', 'pid_for_children', 'time',
                 'time_for_children', 'user', 'uts'}
# CSIGNAL, the low byte of the clone flags; CLONE_NEWTIME is the only
# CLONE_NEW* flag in it.
CSIGNAL = 0xff
CLONE_NEWTIME = 0x80
# NSIO, the type byte of the nsfs ioctls, which the type's nsfs files take.
NSIO = 0xb7
# Type bytes no driver of Linux 7.3 lists in
# Documentation/userspace-api/ioctl/ioctl-number.rst; the default MAGIC is
# the first that this tree does not use.
FREE_MAGICS = [0xbb, 0xbc, 0xbd, 0xbe, 0xbf] + list(range(0xc1, 0xca))

RUST_KEYWORDS = {'Self', 'self', 'super', 'crate', 'type', 'fn', 'mod', 'struct', 'impl',
                 'use', 'pub', 'static', 'const', 'let', 'match', 'loop', 'move', 'ref',
                 'return', 'trait', 'true', 'false', 'unsafe', 'where', 'while', 'async',
                 'await', 'dyn', 'else', 'enum', 'extern', 'for', 'if', 'in', 'mut', 'as',
                 'break', 'continue', 'abstract', 'become', 'box', 'do', 'final', 'macro',
                 'override', 'priv', 'typeof', 'unsized', 'virtual', 'yield', 'try', 'gen'}

IDENT = re.compile(r'\b[A-Za-z_][A-Za-z0-9_]*\b')
# Comments and string literals, left to right: what is not code.
NOT_CODE = re.compile(r'//[^\n]*|"(?:[^"\\\n]|\\.)*"')


class Refused(Exception):
    """The arguments are refused; the message says why."""


def read(top, rel):
    with open(os.path.join(top, rel), encoding='utf-8') as f:
        return f.read()


def camel(name):
    """foo_bar -> FooBar."""
    return ''.join(part[:1].upper() + part[1:] for part in name.split('_'))


def parse_int(text, what):
    try:
        return int(text, 0)
    except ValueError:
        raise Refused(f'{what} {text!r} is not a number (e.g. 0x10)') from None


def sources(top, patterns):
    for pattern in patterns:
        yield from sorted(glob.glob(os.path.join(top, pattern)))


def used_names(top):
    """The /proc/<pid>/ns names of the types in this tree, with where."""
    used = {name: 'a built-in namespace type' for name in BUILTIN_NAMES}
    for path in sources(top, ['rust/*.rs', 'samples/rust/*.rs']):
        for name in re.findall(r'const NAME: &\'static CStr = c"([^"]*)";', read(top, path)):
            used[name] = os.path.relpath(path, top)
    for path in sources(top, ['tools/testing/selftests/xns/test_modules/*.c']):
        for name in re.findall(r'\.name\s*=\s*"([^"]*)"', read(top, path)):
            used.setdefault(name, os.path.relpath(path, top))
    return used


def used_values(top, what):
    """{value: define} of the NS_TYPE or IOC_MAGIC defines of the headers."""
    define = re.compile(rf'^#define\s+(\w*{what})\s+(0x[0-9a-fA-F]+|\d+)\b', re.M)
    used = {}
    for path in sources(top, ['include/uapi/linux/*.h', 'samples/rust/*.h',
                              'tools/testing/selftests/xns/test_modules/*.c']):
        for macro, value in define.findall(read(top, path)):
            used[int(value, 0)] = f'{macro} in {os.path.relpath(path, top)}'
    return used


def check_name(top, name):
    if not re.fullmatch(r'[a-z][a-z0-9]*(_[a-z0-9]+)*', name or ''):
        raise Refused(f'NAME {name!r}: a lower-case identifier is needed (e.g. foo or foo_bar), '
                      'as it names the /proc/<pid>/ns entry, the module and the C and Rust '
                      'identifiers')
    if len(name) > NAME_MAX:
        raise Refused(f'NAME {name!r} is longer than NS_EXT_NAME_MAX ({NAME_MAX})')
    used = used_names(top)
    if name in used:
        raise Refused(f'NAME {name!r} is taken: {used[name]} (registration would fail '
                      'with EEXIST)')
    for rel in (os.path.join(SAMPLES, f'rust_ns_{name}.rs'), os.path.join(SAMPLES, f'ns_{name}.h')):
        if os.path.exists(os.path.join(top, rel)):
            raise Refused(f'{rel} exists')


def check_ns_type(top, ns_type):
    if ns_type <= 0 or ns_type & (ns_type - 1):
        raise Refused(f'NS_TYPE {ns_type:#x} is not a single bit (the setns() and listns() '
                      'masks need one bit per type)')
    if ns_type == CLONE_NEWTIME:
        raise Refused(f'NS_TYPE {ns_type:#x} is CLONE_NEWTIME, a built-in type\'s bit')
    if ns_type & ~CSIGNAL:
        raise Refused(f'NS_TYPE {ns_type:#x} is not a CSIGNAL bit (0x01 to 0x40): the other '
                      'bits of the clone flags mean something else')
    used = used_values(top, 'NS_TYPE')
    if ns_type in used:
        raise Refused(f'NS_TYPE {ns_type:#x} is taken: {used[ns_type]} (registration would '
                      'fail with EEXIST)')


def choose_magic(top, magic):
    used = used_values(top, 'IOC_MAGIC')
    used[NSIO] = 'NSIO, the nsfs ioctls'
    if magic is None:
        free = [m for m in FREE_MAGICS if m not in used]
        if not free:
            raise Refused('no free ioctl type byte left: give one with MAGIC=')
        return free[0]
    if not 0 < magic <= 0xff:
        raise Refused(f'MAGIC {magic:#x} is not an ioctl type byte (0x01 to 0xff)')
    if magic in used:
        raise Refused(f'MAGIC {magic:#x} is taken: {used[magic]}')
    return magic


def substitute_once(text, pattern, repl, where):
    text, n = re.subn(pattern, repl, text, flags=re.M)
    if n != 1:
        raise Refused(f'the template changed: {where} matched {n} times, not once; '
                      f'update {os.path.basename(__file__)}')
    return text


def rename(text, name):
    """Every spelling of the template's name: counter, Counter, COUNTER."""
    spellings = {TEMPLATE_NAME: name, camel(TEMPLATE_NAME): camel(name),
                 TEMPLATE_NAME.upper(): name.upper()}
    return re.sub('|'.join(spellings), lambda m: spellings[m.group()], text)


def check_identifiers(template, name):
    """The renamed identifiers must not be keywords or names the template's code uses."""
    code = IDENT.findall(NOT_CODE.sub(' ', template))
    others = {i for i in code if TEMPLATE_NAME not in i.lower()}
    renamed = {rename(i, name) for i in code if TEMPLATE_NAME in i.lower()}
    clash = sorted(i for i in renamed if i in others or i in RUST_KEYWORDS)
    if clash:
        raise Refused(f'NAME {name!r} gives identifiers the module already uses or that are '
                      f'Rust keywords: {", ".join(clash)}')


def generate(top, name, ns_type, magic):
    """Returns {relative path: new content}."""
    rs = read(top, TEMPLATE_RS)
    h = read(top, TEMPLATE_H)
    up = TEMPLATE_NAME.upper()
    rs = substitute_once(rs, rf'^(\s*pub\(crate\) const NS_{up}_NS_TYPE: u32 = )0x[0-9a-fA-F]+;',
                         rf'\g<1>{ns_type:#x};', f'NS_{up}_NS_TYPE in {TEMPLATE_RS}')
    rs = substitute_once(rs, rf'^(\s*pub\(crate\) const NS_{up}_IOC_MAGIC: u32 = )0x[0-9a-fA-F]+;',
                         rf'\g<1>{magic:#x};', f'NS_{up}_IOC_MAGIC in {TEMPLATE_RS}')
    h = substitute_once(h, rf'^(#define\s+NS_{up}_NS_TYPE\s+)0x[0-9a-fA-F]+$',
                        rf'\g<1>0x{ns_type:08x}', f'NS_{up}_NS_TYPE in {TEMPLATE_H}')
    h = substitute_once(h, rf'^(#define\s+NS_{up}_IOC_MAGIC\s+)0x[0-9a-fA-F]+$',
                        rf'\g<1>{magic:#x}', f'NS_{up}_IOC_MAGIC in {TEMPLATE_H}')
    kbuild = read(top, KBUILD)
    entry = f'obj-m += rust_ns_{TEMPLATE_NAME}.o\n'
    if entry not in kbuild:
        raise Refused(f'the template changed: no "{entry.strip()}" in {KBUILD}')
    if not kbuild.endswith('\n'):
        kbuild += '\n'
    return {
        os.path.join(SAMPLES, f'rust_ns_{name}.rs'): rename(rs, name),
        os.path.join(SAMPLES, f'ns_{name}.h'): rename(h, name),
        KBUILD: kbuild + rename(entry, name),
    }


def rustfmt(path):
    """Lines that the new names made longer are formatted as lint.sh wants."""
    tool = shutil.which('rustfmt')
    if not tool:
        print(f'new-type: rustfmt not found: {path} is not formatted', file=sys.stderr)
        return
    # The kernel's .rustfmt.toml: edition 2021, Unix newlines.
    subprocess.run([tool, '--edition', '2021', '--config', 'newline_style=Unix', path],
                   check=True)


def main(argv):
    parser = argparse.ArgumentParser(
        description='Start a new namespace type as a copy of the counter sample.')
    parser.add_argument('name', metavar='NAME', help='the type\'s name: /proc/<pid>/ns/NAME')
    parser.add_argument('ns_type', metavar='NS_TYPE',
                        help='its ns_type: one CSIGNAL bit no other type uses, e.g. 0x10')
    parser.add_argument('--magic', metavar='MAGIC',
                        help='ioctl type byte of /dev/ns_NAME (default: the first free one of '
                        + ', '.join(f'{m:#x}' for m in FREE_MAGICS) + ')')
    args = parser.parse_args(argv)
    try:
        check_name(TOP, args.name)
        check_identifiers(read(TOP, TEMPLATE_RS), args.name)
        ns_type = parse_int(args.ns_type, 'NS_TYPE')
        check_ns_type(TOP, ns_type)
        magic = choose_magic(TOP, None if args.magic is None else parse_int(args.magic, 'MAGIC'))
        files = generate(TOP, args.name, ns_type, magic)
    except Refused as e:
        print(f'new-type: {e}', file=sys.stderr)
        return 1
    for rel, text in files.items():
        with open(os.path.join(TOP, rel), 'w', encoding='utf-8') as f:
            f.write(text)
        if rel.endswith('.rs'):
            rustfmt(os.path.join(TOP, rel))
    name = args.name
    print(f'new-type: namespace type "{name}", ns_type {ns_type:#x}, ioctl type {magic:#x}:')
    what = [f'the module rust_ns_{name}, with /dev/ns_{name}', 'its UAPI',
            'builds it beside the sample']
    width = max(len(rel) for rel in files)
    for rel, line in zip(files, what):
        print(f'  {rel:{width}}  {line}')
    print('Next: make modules; make run CMD=\'insmod /lib/modules/rust_ns_'
          f'{name}.ko && readlink /proc/self/ns/{name}\';')
    print('then its tests: Documentation/xns/writing-a-type.rst, "Testing a type".')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
