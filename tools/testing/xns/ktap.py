#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check a captured QEMU serial log of an xns selftest run.

The log holds the kernel console and the output of ktap-run interleaved:

    [    0.000000] Linux version ...          kernel lines, maybe timestamped
    KTAP version 1                            top level, written by ktap-run
    1..N
    # selftests: prog                         "# " prefixed output of prog,
    # TAP version 13                          e.g. a kselftest_harness run
    # 1..2
    # ok 1 global.foo
    # not ok 2 fixture.bar
    # # Totals: pass:1 fail:1 xfail:0 xpass:0 skip:0 error:0
    not ok 1 selftests: prog # exit=1
    # ktap-run: done

Every top-level result owns the "# " lines printed before it.  Those are
parsed again as KTAP (recursively) and their results are the leaf test cases;
a program without nested KTAP counts as one leaf itself.  XFAIL and TODO
results are counted as skipped, never as failures.

Usage:
    ktap.py check LOG [--arch NAME] [--json OUT]
    ktap.py total FILE...

"check" prints "ARCH: P passed, F failed[, S skipped]", one
"ARCH: FAIL: reason" line per problem, and exits 1 if there was any.  A
program that ktap-run had to run twice (ktap-run -r, for the kernel's own
suites) is listed as "ARCH: FLAKY: ..." whatever the outcome of the retry.
"total" adds up the JSON files written by "check --json", lists their flaky
programs and prints the grand total line last; it exits 1 if any test failed
or any file records failures.
"""

import argparse
import json
import re
import sys
from dataclasses import dataclass, field

# Kernel splats: (label, regex).  A line is matched against the patterns in
# order and attributed to the first that matches, so the more specific ones
# come first (e.g. "BUG: KASAN:" is KASAN, not BUG).  Matches anywhere in a
# line; the first line of each label found is reported.
SPLAT_PATTERNS = [
    ('lockdep', r'possible circular locking dependency'
                r'|possible recursive locking|inconsistent lock state'
                r'|suspicious RCU usage|WARNING: possible'),
    ('KASAN', r'KASAN:'),
    ('UBSAN', r'UBSAN:'),
    ('kmemleak', r'kmemleak: \d+ new suspected memory leak'),
    ('refcount', r'refcount_t:'),
    ('list corruption', r'list_(add|del) corruption'),
    ('stack-protector', r'stack-protector'),
    ('soft lockup', r'soft lockup'),
    ('hard lockup', r'hard LOCKUP'),
    ('hung task', r'\bhung_task: |blocked\b.* for more than \d+ seconds'),
    ('RCU stall', r'rcu_sched detected stalls'
                  r'|rcu: INFO: rcu_\w+ (self-)?detected stall'),
    ('panic', r'Kernel panic'),
    ('GPF', r'general protection fault'),
    ('page fault', r'Unable to handle kernel'),
    ('Oops', r'\bOops\b'),
    ('BUG', r'BUG:'),
    ('WARNING', r'WARNING:'),
    ('Call Trace', r'Call [Tt]race:'),
]
_SPLATS = [(label, re.compile(rx)) for label, rx in SPLAT_PATTERNS]

_TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\]')
_VERSION = re.compile(r'^(KTAP version 1|TAP version 13)\s*$')
_PLAN = re.compile(r'^1\.\.(\d+)\b')
_RESULT = re.compile(r'^(ok|not ok) (\d+)\b ?(?:- )?(.*)$')
_NESTED = re.compile(r'^#(?: (.*))?$')
_TOTALS = re.compile(r'^# Totals: pass:(\d+) fail:(\d+) xfail:(\d+) '
                     r'xpass:(\d+) skip:(\d+) error:(\d+)')
_DONE = '# ktap-run: done'
_FLAKY = re.compile(r'^# ktap-run: flaky: (.*)$')


@dataclass
class Result:
    """One "ok"/"not ok" line and the KTAP level nested before it."""
    ok: bool
    num: int
    name: str
    directive: str
    lineno: int
    sub: 'Level | None' = None

    @property
    def status(self):
        """'passed', 'failed' or 'skipped' (SKIP, XFAIL and TODO)."""
        word = self.directive.split(' ', 1)[0].upper()
        if word in ('SKIP', 'XFAIL', 'TODO'):
            return 'skipped'
        return 'passed' if self.ok else 'failed'

    def line(self):
        """The result line as printed, without prefixes."""
        text = f"{'ok' if self.ok else 'not ok'} {self.num}"
        text += f' {self.name}' if self.name else ''
        return f'{text} # {self.directive}' if self.directive else text


@dataclass
class Level:
    """A KTAP level: its plan, results, totals line and trailing output.

    title is its first line, e.g. ktap-run's "SUITE: NAME" header.
    """
    title: str = ''
    plan: int | None = None
    results: list = field(default_factory=list)
    totals: tuple | None = None
    trailing: 'Level | None' = None


def parse_level(entries):
    """Parse (lineno, text) pairs of one level, its "# " prefix removed."""
    level, pending = Level(title=entries[0][1] if entries else ''), []
    for lineno, text in entries:
        if m := _TOTALS.match(text):
            level.totals = tuple(int(n) for n in m.groups())
        if m := _NESTED.match(text):
            pending.append((lineno, m[1] or ''))
        elif m := _PLAN.match(text):
            if level.plan is None:
                level.plan = int(m[1])
        elif m := _RESULT.match(text):
            rest = m[3].strip()
            if rest.startswith('#'):
                name, directive = '', rest[1:]
            else:
                name, _, directive = rest.partition(' # ')
            res = Result(m[1] == 'ok', int(m[2]), name.strip(),
                         directive.strip(), lineno)
            if pending:
                res.sub = parse_level(pending)
                pending = []
            level.results.append(res)
    level.trailing = parse_level(pending) if pending else None
    return level


def read_lines(text):
    """Split a serial log into lines, dropping the console's \\r."""
    return [line.replace('\r', '') for line in text.split('\n')]


def find_splats(lines):
    """Return [(label, lineno, text)] for the first line of each splat."""
    found = {}
    for lineno, line in enumerate(lines, 1):
        for label, rx in _SPLATS:
            if rx.search(line):
                found.setdefault(label, (label, lineno, line.strip()))
                break
    return sorted(found.values(), key=lambda s: s[1])


def find_flaky(text):
    """Return the programs ktap-run ran a second time, as it named them."""
    return [m[1].strip() for line in read_lines(text)
            if (m := _FLAKY.match(line))]


def _tally(level, ctx, counts, failures):
    """Count the leaves of @level and collect failures, prefixed by @ctx."""
    if ctx and level.plan is not None and level.plan != len(level.results):
        failures.append(f'{ctx}nested plan 1..{level.plan} but '
                        f'{len(level.results)} results')
    if level.totals and sum(level.totals) != len(level.results):
        failures.append(f'{ctx}harness Totals count {sum(level.totals)} '
                        f'tests but {len(level.results)} results')
    for res in level.results:
        before = dict(counts)
        if res.sub:
            _tally(res.sub, f'{ctx}{res.name or res.num}: ', counts, failures)
        if counts == before:
            # No nested test cases: the result is a leaf itself.
            counts[res.status] += 1
        elif res.status == 'failed' and counts['failed'] == before['failed']:
            # A program failing without a failing leaf is one failure.
            counts['failed'] += 1
        if res.status == 'failed':
            failures.append(f'{ctx}{res.line()}')
    if level.trailing:
        # Output after the last result: a program that never finished.
        _tally(level.trailing, f'{ctx}{level.trailing.title} (unfinished): ',
               counts, failures)


def check_text(text):
    """Check a whole serial log; return (counts, failures).

    counts is {'passed': P, 'failed': F, 'skipped': S} over leaf test
    cases, failures a list of one-line reasons (empty if the run is clean).
    """
    lines = read_lines(text)
    counts = {'passed': 0, 'failed': 0, 'skipped': 0}
    failures = []
    starts = [i for i, line in enumerate(lines) if _VERSION.match(line)]
    done = False
    if not starts:
        failures.append('no KTAP output found (missing "KTAP version 1")')
    else:
        entries = []
        for lineno, line in enumerate(lines[starts[-1] + 1:], starts[-1] + 2):
            if line.rstrip() == _DONE:
                done = True
                break
            if not _TIMESTAMP.match(line):
                entries.append((lineno, line))
        top = parse_level(entries)
        _tally(top, '', counts, failures)
        if top.plan is None:
            failures.append('missing top-level plan "1..N"')
        elif top.plan != len(top.results):
            failures.append(f'planned {top.plan} tests but got '
                            f'{len(top.results)} results')
    if starts and not done:
        failures.append(f'missing "{_DONE}": log truncated '
                        '(hang, crash or timeout)')
    for label, lineno, line in find_splats(lines):
        failures.append(f'kernel splat ({label}) at line {lineno}: {line}')
    return counts, failures


def read_log(path):
    """The text of the serial log at @path."""
    with open(path, encoding='utf-8', errors='replace', newline='') as f:
        return f.read()


def check_file(path):
    """check_text() on the log at @path."""
    return check_text(read_log(path))


def summary(counts):
    """Format counts as "P passed, F failed" plus ", S skipped" if S > 0."""
    passed, failed = counts.get('passed', 0), counts.get('failed', 0)
    skipped = counts.get('skipped', 0)
    text = f'{passed} passed, {failed} failed'
    return f'{text}, {skipped} skipped' if skipped else text


def cmd_check(args):
    """The "check" command: print the summary and failures of one log."""
    try:
        text = read_log(args.log)
        counts, failures = check_text(text)
        flaky = find_flaky(text)
    except OSError as e:
        counts = {'passed': 0, 'failed': 0, 'skipped': 0}
        failures, flaky = [f'cannot read log: {e}'], []
    prefix = f'{args.arch}: ' if args.arch else ''
    print(f'{prefix}{summary(counts)}')
    for reason in flaky:
        print(f'{prefix}FLAKY: {reason}')
    for reason in failures:
        print(f'{prefix}FAIL: {reason}')
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump({'arch': args.arch, 'log': args.log, 'counts': counts,
                       'failures': failures, 'flaky': flaky}, f, indent=1)
            f.write('\n')
    return 1 if failures else 0


def cmd_total(args):
    """The "total" command: add up the JSON files of several "check" runs."""
    total = {'passed': 0, 'failed': 0, 'skipped': 0}
    bad = False
    for path in args.files:
        try:
            with open(path, encoding='utf-8') as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            print(f'ktap.py: {path}: {e}', file=sys.stderr)
            bad = True
            continue
        for key in total:
            total[key] += int(data.get('counts', {}).get(key, 0))
        bad |= bool(data.get('failures'))
        for reason in data.get('flaky', []):
            print(f"{data.get('arch') or path}: FLAKY: {reason}")
    print(summary(total))
    return 1 if bad or total['failed'] else 0


def main(argv=None):
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog='ktap.py', description='Check xns selftest serial logs.')
    sub = parser.add_subparsers(dest='cmd', required=True)
    p = sub.add_parser('check', help='check one captured serial log')
    p.add_argument('log')
    p.add_argument('--arch', default='', help='prefix for output lines')
    p.add_argument('--json', help='also write the result to this file')
    p.set_defaults(func=cmd_check)
    p = sub.add_parser('total', help='add up "check --json" result files')
    p.add_argument('files', nargs='+', metavar='FILE')
    p.set_defaults(func=cmd_total)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == '__main__':
    sys.exit(main())
