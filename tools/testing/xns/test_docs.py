# SPDX-License-Identifier: GPL-2.0
"""The code that Documentation/xns shows is the code that is built.

Documentation/xns/writing-a-type.rst shows the counter sample with
`.. literalinclude::` and the markers :start-at:, :start-after:,
:end-at: and :end-before: (lines of the source that contain the given
text), so that the guide cannot drift from the code.  Sphinx is not
needed for make check, so this test resolves every literalinclude of
Documentation/xns as Sphinx does and fails when one does not: a file that
is gone, a marker that no longer matches exactly one line, an empty block,
a :dedent: that would cut text.  Rust code in that guide may only come
from literalinclude, and index.rst must list every page.
"""

import glob
import os
import re
import unittest

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
DOCS = os.path.join(TOP, 'Documentation', 'xns')
GUIDE = os.path.join(DOCS, 'writing-a-type.rst')

DIRECTIVE = re.compile(r'^\.\. literalinclude:: (\S+)\n((?:   :[\w-]+:.*\n)*)', re.M)
OPTION = re.compile(r'^   :([\w-]+):(?: (.*))?$', re.M)


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def includes(rst):
    """(line, path, {option: value}) of each literalinclude of @rst."""
    text = read(rst)
    for m in DIRECTIVE.finditer(text):
        line = text.count('\n', 0, m.start()) + 1
        opts = {k: v or '' for k, v in OPTION.findall(m.group(2))}
        yield line, os.path.normpath(os.path.join(os.path.dirname(rst), m.group(1))), opts


def resolve(path, opts):
    """The lines Sphinx shows, or an AssertionError that says why not."""
    lines = read(path).splitlines()
    start = 0
    for key in ('start-at', 'start-after'):
        if key in opts:
            hits = [i for i, line in enumerate(lines) if opts[key] in line]
            assert len(hits) == 1, f':{key}: {opts[key]!r} matches {len(hits)} lines, not one'
            start = hits[0] + (key == 'start-after')
    lines = lines[start:]
    for key in ('end-at', 'end-before'):
        if key in opts:
            hits = [i for i, line in enumerate(lines) if opts[key] in line]
            assert hits, f':{key}: {opts[key]!r} matches no line after the start'
            lines = lines[:hits[0] + (key == 'end-at')]
    if 'dedent' in opts:
        n = int(opts['dedent'])
        cut = [line for line in lines if line[:n].strip()]
        assert not cut, f':dedent: {n} cuts text of {cut[0]!r}'
        lines = [line[n:] for line in lines]
    assert any(line.strip() for line in lines), 'the block is empty'
    return lines


class LiteralIncludeTest(unittest.TestCase):

    def test_every_include_resolves(self):
        n = 0
        for rst in sorted(glob.glob(os.path.join(DOCS, '*.rst'))):
            for line, path, opts in includes(rst):
                where = f'{os.path.relpath(rst, TOP)}:{line}'
                with self.subTest(where=where):
                    n += 1
                    self.assertTrue(os.path.isfile(path), f'{where}: no file {path}')
                    self.assertIn('language', opts, where)
                    try:
                        resolve(path, opts)
                    except AssertionError as e:
                        self.fail(f'{where}: {os.path.relpath(path, TOP)}: {e}')
        self.assertGreaterEqual(n, 10)

    def test_guide_rust_is_included(self):
        """Every Rust block of the guide comes from the sample, none is typed in."""
        text = read(GUIDE)
        self.assertNotRegex(text, r'(?m)^\.\. (code-block|code|sourcecode|highlight):: rust')
        files = {os.path.relpath(path, TOP) for _, path, opts in includes(GUIDE)
                 if opts.get('language') == 'rust'}
        self.assertEqual(files, {'samples/rust/rust_ns_counter.rs'})

    def test_guide_shows_the_operations(self):
        """The blocks cover the trait impl, the static, the data and the registration."""
        shown = '\n'.join('\n'.join(resolve(path, opts)) for _, path, opts in includes(GUIDE))
        for want in ('impl NamespaceType for Counter {', 'fn owner(', 'fn create_child(',
                     'static COUNTER_TYPE: NsExtType<Counter> = NsExtType::new();',
                     'struct Counter {', 'Registration::new(Counter::new(init_owner))',
                     'ns_id: ns.id(),', 'inum: ns.inum(),', '#[path = "../../rust/namespace.rs"]',
                     '#define NS_COUNTER_NS_TYPE', '#define NS_COUNTER_IOC_GET'):
            self.assertIn(want, shown)

    def test_resolve_rejects(self):
        """The resolver fails as Sphinx would, on a marker that moved or is ambiguous."""
        sample = os.path.join(TOP, 'samples', 'rust', 'rust_ns_counter.rs')
        for opts in ({'start-at': 'no such line in the sample'},
                     {'start-at': '#[vtable]'},
                     {'start-at': 'module! {', 'end-before': 'no such line either'},
                     {'start-at': 'module! {', 'end-before': 'module! {'},
                     {'start-at': '    type Ptr = ();', 'dedent': '8'}):
            with self.subTest(opts=opts):
                with self.assertRaises(AssertionError):
                    resolve(sample, opts)


class IndexTest(unittest.TestCase):

    def test_toctree_lists_every_page(self):
        index = read(os.path.join(DOCS, 'index.rst'))
        listed = set(re.findall(r'(?m)^   ([\w-]+)$', index))
        pages = {os.path.basename(p)[:-len('.rst')]
                 for p in glob.glob(os.path.join(DOCS, '*.rst'))} - {'index'}
        self.assertEqual(listed, pages)


if __name__ == '__main__':
    unittest.main()
