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

Nothing in the guest is left to chance, so in the xns collection (the
programs under /selftests/xns/, xns's own suites and the sample's) a skipped
case fails the run unless the allowlist (allowed-skips beside this file, or
--allowed-skips) names it with a reason.  The kernel's own suites may skip;
every skip is listed.  With --expect, the programs that reported must be
exactly the ones listed there, so a program missing from the initramfs
fails the run.  A "# init: FAIL: ..." line anywhere in the log (the guest's
/init could not set up, e.g. insmod failed) fails it too.

Usage:
    ktap.py check LOG [--arch NAME] [--json OUT] [--expect FILE]
                      [--allowed-skips FILE]
    ktap.py total [--failed-step NAME]... FILE...

"check" prints "ARCH: P passed, F failed[, S skipped]", one
"ARCH: FAIL: reason" line per problem, followed by the output of the
failing case (its own "# " lines, at most DETAIL_LINES of them), and exits
1 if there was any.  Each skipped case is listed as "ARCH: SKIP: ...".  A
program that ktap-run had to run again (ktap-run -r, for the kernel's own
suites) is listed as "ARCH: FLAKY: ..." once a retry, with the cases that
failed before it, whatever the outcome of the last run.
"total" adds up the JSON files written by "check --json", lists their flaky
programs and prints the grand total line last.  A variant whose file records
failures but no failed test counts as one failed test, as does an
unreadable file, each --failed-step (a step of make check that failed
before any test ran: host tests, lint, a build) and a program that was
FLAKY on more than one variant, so that the last line says "failed"
whenever the run failed.  A retry is excused from that last rule only when
every case that failed before it is listed in upstream-flakes, with the
evidence that it fails on an unpatched kernel booted the same way.  It
exits 1 if any test failed.
"""

import argparse
import json
import os
import re
import sys
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
ALLOWED_SKIPS = os.path.join(HERE, 'allowed-skips')
UPSTREAM_FLAKES = os.path.join(HERE, 'upstream-flakes')
SERIES = os.path.join(HERE, '..', '..', '..', 'patches')

# Collections (a program's directory under /selftests) whose skips fail the
# run unless they are allowed.
STRICT_COLLECTIONS = ('xns',)

# Output lines printed under a failure: the last ones, where the harness
# prints the failed assertion.
DETAIL_LINES = 20

# Kernel splats: (label, regex).  A line is matched against the patterns in
# order and attributed to the first that matches, so the more specific ones
# come first (e.g. "BUG: KASAN:" is KASAN, not BUG).  Matches anywhere in a
# line; the first line of each label found is reported.
SPLAT_PATTERNS = [
    ('lockdep', r'possible circular locking dependency'
                r'|possible recursive locking|inconsistent lock state'
                r'|suspicious RCU usage|WARNING: possible'),
    ('KCSAN', r'BUG: KCSAN: '),
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
_KCSAN_BUG = dict(_SPLATS)['KCSAN']

# Stack traces that are not splats: the reports of allocations that
# xns_fault_test makes fail on purpose.  vmalloc() without __GFP_NOWARN
# reports a failure with warn_alloc(): a line "TASK: vmalloc error: ..."
# (or "page allocation failure: "), then dump_stack() ("CPU: N UID: N
# PID: N Comm: TASK ...", "Call Trace:", the frames) and the memory state.
# A vmalloc() of a module's own code, whose allocations xns_fault_test
# fails in turn, reports so (the module loader's, kernel_read_file() and
# KASAN's shadow of the module's memory, did while the test failed the
# loader's allocations too).  Only the "Call Trace:" line of such a
# report, of one of these tasks, is excused; any other line of it is
# checked as everywhere.
EXPECTED_TRACE_TASKS = ('xns_fault_test',)
# How far apart the report's lines may be: other CPUs print in between.
EXPECTED_TRACE_WINDOW = 6
_WARN_ALLOC = re.compile(r'(\S+): (?:vmalloc error|page allocation failure): ')
_DUMP_STACK = re.compile(r'\bCPU: \d+ (?:UID: \d+ )?PID: \d+ Comm: (\S+)')

# KCSAN's data-race reports: "BUG: KCSAN: data-race in A / B", then each
# side's access with its stack, until a line of "=".  Such a report is
# xns's when one of its frames is in a module (the guest loads only xns's)
# or in a function the patch series adds or changes (series_functions());
# then it is a splat.  The others are races between parts of the kernel
# the series does not touch: printed as upstream's, and left to upstream.
KCSAN_REPORT_LINES = 80
_KCSAN_END = re.compile(r'^(?:\[\s*\d+\.\d+\]\s*)?={20,}\s*$')
_FRAME = re.compile(r'^(?:\[\s*\d+\.\d+\]\s*)?\s*([A-Za-z_][\w.]*)'
                    r'\+0x[0-9a-f]+/0x[0-9a-f]+(?:\s+\[(\w+)\])?\s*$')
_PATCH_ADDS = re.compile(r'^\+(?!\+\+)\w[^;]*?\b(\w+)\(')
_PATCH_HUNK = re.compile(r'^@@ [^@]* @@ .*?\b(\w+)\(')

_TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\]')
_VERSION = re.compile(r'^(KTAP version 1|TAP version 13)\s*$')
_PLAN = re.compile(r'^1\.\.(\d+)\b')
_RESULT = re.compile(r'^(ok|not ok) (\d+)\b ?(?:- )?(.*)$')
_NESTED = re.compile(r'^#(?: (.*))?$')
_TOTALS = re.compile(r'^# Totals: pass:(\d+) fail:(\d+) xfail:(\d+) '
                     r'xpass:(\d+) skip:(\d+) error:(\d+)')
_DONE = '# ktap-run: done'
_FLAKY = re.compile(r'^# ktap-run: flaky: (.*)$')
_ATTEMPT_FAILED = re.compile(r'^# \w+ attempt\| # not ok \d+ (\S+)')
_FLAKY_CASES = re.compile(r' \(failed: (.*)\)$')
_FLAKY_PROGRAM = re.compile(r'^(.*?) failed \(')
_INIT_FAIL = re.compile(r'# init: FAIL: (.*)$')


@dataclass
class Result:
    """One "ok"/"not ok" line and the KTAP level nested before it."""
    ok: bool
    num: int
    name: str
    directive: str
    lineno: int
    sub: 'Level | None' = None
    output: list = field(default_factory=list)

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

    title is its first line, e.g. ktap-run's "SUITE: NAME" header; entries
    are its (lineno, text) pairs.
    """
    title: str = ''
    plan: int | None = None
    results: list = field(default_factory=list)
    totals: tuple | None = None
    trailing: 'Level | None' = None
    entries: list = field(default_factory=list)


@dataclass
class Report:
    """What check_log() found in one serial log.

    failures are one-line reasons; details[i] holds the output lines that
    explain failures[i] (maybe none).  skips lists every skipped case,
    upstream the KCSAN reports left to upstream (upstream_kcsan()).
    """
    counts: dict = field(default_factory=lambda: {
        'passed': 0, 'failed': 0, 'skipped': 0})
    failures: list = field(default_factory=list)
    details: list = field(default_factory=list)
    skips: list = field(default_factory=list)
    flaky: list = field(default_factory=list)
    upstream: list = field(default_factory=list)

    def fail(self, reason, lines=()):
        """Record a failure and the output lines that explain it."""
        self.failures.append(reason)
        self.details.append(list(lines))


def parse_level(entries):
    """Parse (lineno, text) pairs of one level, its "# " prefix removed.

    Each result keeps the "# " lines before it at this level (its own
    output, e.g. a harness case's assertion messages) as output.
    """
    level = Level(title=entries[0][1] if entries else '', entries=entries)
    pending = []
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
                         directive.strip(), lineno, output=pending)
            if pending:
                res.sub = parse_level(pending)
                pending = []
            level.results.append(res)
    level.trailing = parse_level(pending) if pending else None
    return level


def read_lines(text):
    """Split a serial log into lines, dropping the console's \\r."""
    return [line.replace('\r', '') for line in text.split('\n')]


def _find_back(lines, end, rx, task):
    """The index of the line before lines[end] that matches @rx for @task
    (its first group), at most EXPECTED_TRACE_WINDOW lines back, or None."""
    for i in range(end - 1, max(end - 1 - EXPECTED_TRACE_WINDOW, -1), -1):
        m = rx.search(lines[i])
        if m and m[1] == task:
            return i
    return None


def expected_trace(lines, index):
    """Is lines[index], a "Call Trace:", in an allocation failure report
    of a task in EXPECTED_TRACE_TASKS (see there)?"""
    for task in EXPECTED_TRACE_TASKS:
        cpu = _find_back(lines, index, _DUMP_STACK, task)
        if cpu is not None and \
                _find_back(lines, cpu, _WARN_ALLOC, task) is not None:
            return True
    return False


def series_functions(series_dir):
    """The functions the patches in @series_dir define or change: each
    name an added line starts with before a "(" (a definition, or a macro
    such as EXPORT_SYMBOL_GPL), and the function each hunk header names."""
    names = set()
    for name in sorted(os.listdir(series_dir)):
        if not name.endswith('.patch'):
            continue
        with open(os.path.join(series_dir, name), encoding='utf-8') as f:
            for line in f:
                if m := _PATCH_ADDS.match(line) or _PATCH_HUNK.match(line):
                    names.add(m[1])
    return frozenset(names)


def kcsan_culprit(lines, index, series):
    """For the KCSAN report whose "BUG: KCSAN:" line is lines[index]: the
    first of its frames in a module or in a function of @series (see
    series_functions()), or None if it has none."""
    for line in lines[index + 1:index + 1 + KCSAN_REPORT_LINES]:
        if _KCSAN_END.match(line):
            break
        if m := _FRAME.match(line):
            if m[2] or m[1].split('.')[0] in series:
                return line.strip()
    return None


def upstream_kcsan(lines, series):
    """Return [(lineno, text)] for the KCSAN reports that are not xns's
    (kcsan_culprit() finds no frame of it)."""
    return [(lineno, line.strip()) for lineno, line in enumerate(lines, 1)
            if _KCSAN_BUG.search(line) and
            kcsan_culprit(lines, lineno - 1, series) is None]


def find_splats(lines, series=frozenset()):
    """Return [(label, lineno, text)] for the first line of each splat,
    but for the expected traces of xns_fault_test (expected_trace()) and
    the KCSAN reports that are not xns's (kcsan_culprit(), with the
    functions of the series in @series)."""
    found = {}
    for lineno, line in enumerate(lines, 1):
        for label, rx in _SPLATS:
            if rx.search(line):
                if label == 'Call Trace' and \
                        expected_trace(lines, lineno - 1):
                    break
                if label == 'KCSAN':
                    culprit = kcsan_culprit(lines, lineno - 1, series)
                    if culprit is None:
                        break
                    line = f'{line.strip()} (at {culprit})'
                found.setdefault(label, (label, lineno, line.strip()))
                break
    return sorted(found.values(), key=lambda s: s[1])


def find_flaky(text):
    """Return the programs ktap-run ran again, as it named them.

    Each retry is one entry, followed by " (failed: CASE, ...)" with the
    cases that failed in the attempt before it, if any did.
    """
    flaky, cases = [], []
    for line in read_lines(text):
        if m := _ATTEMPT_FAILED.match(line):
            cases.append(m[1])
        elif m := _FLAKY.match(line):
            reason = m[1].strip()
            if cases:
                reason += f' (failed: {", ".join(cases)})'
            flaky.append(reason)
            cases = []
    return flaky


def excused_flake(reason, upstream_flakes):
    """Whether the retry @reason (see find_flaky()) is a listed upstream
    flake: every case that failed before it is in @upstream_flakes, which
    is {(program, case): evidence} (read_allowed_skips() reads it)."""
    m, cases = _FLAKY_PROGRAM.match(reason), _FLAKY_CASES.search(reason)
    if not m or not cases:
        return False
    prog = m[1].rpartition(': ')[2]
    return all((prog, case) in upstream_flakes
               for case in cases[1].split(', '))


def program_name(name):
    """"COLLECTION: PROGRAM" of ktap-run's "SUITE: COLLECTION: PROGRAM"."""
    return name.split(': ', 1)[1] if ': ' in name else name


def read_allowed_skips(path):
    """Read an allowlist of skips; return {(program, case): reason}.

    Each line is "PROGRAM CASE REASON": the program's file name, the case
    as the harness names it, and why it may skip.  "#" starts a comment.
    Raises ValueError for an entry without a reason or listed twice.
    """
    allowed = {}
    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            fields = line.split('#', 1)[0].split(None, 2)
            if not fields:
                continue
            if len(fields) < 3:
                raise ValueError(f'{path}:{lineno}: want "PROGRAM CASE '
                                 'REASON", the reason is not optional')
            key = (fields[0], fields[1])
            if key in allowed:
                raise ValueError(f'{path}:{lineno}: {" ".join(key)} is '
                                 'listed twice')
            allowed[key] = fields[2].strip()
    return allowed


def read_expected(path):
    """Read the expected programs, "COLLECTION: PROGRAM" one a line."""
    with open(path, encoding='utf-8') as f:
        return [line.strip() for line in f
                if line.strip() and not line.startswith('#')]


def _explain(entries):
    """The output lines of @entries to print under a failure, capped."""
    lines = [text.rstrip() for _, text in entries]
    if len(lines) <= DETAIL_LINES:
        return lines
    return ([f'[{len(lines) - DETAIL_LINES} earlier lines from log line '
             f'{entries[0][0]}]'] + lines[-DETAIL_LINES:])


def _skipped_leaf(res, ctx, program, rep, allowed):
    """Record the skipped leaf @res; return True if it fails the run."""
    collection, _, prog = program.rpartition(': ')
    where = f'{ctx}{res.line()}'
    if collection not in STRICT_COLLECTIONS:
        rep.skips.append(where)
        return False
    if (why := allowed.get((prog, res.name))) is not None:
        rep.skips.append(f'{where} (allowed: {why})')
        return False
    rep.fail(f'{where}: a skip in {collection}/ not listed in allowed-skips',
             _explain(res.output))
    return True


def _tally(level, ctx, rep, allowed, program=''):
    """Count the leaves of @level and collect failures, prefixed by @ctx.

    @program is the top-level program the level belongs to ('' at the top).
    """
    counts = rep.counts
    if ctx and level.plan is not None and level.plan != len(level.results):
        rep.fail(f'{ctx}nested plan 1..{level.plan} but '
                 f'{len(level.results)} results')
    if level.totals and sum(level.totals) != len(level.results):
        rep.fail(f'{ctx}harness Totals count {sum(level.totals)} '
                 f'tests but {len(level.results)} results')
    for res in level.results:
        prog = program or program_name(res.name)
        before = dict(counts)
        if res.sub:
            _tally(res.sub, f'{ctx}{res.name or res.num}: ', rep, allowed,
                   prog)
        if counts == before:
            # No nested test cases: the result is a leaf itself.
            status = res.status
            if status == 'skipped' and _skipped_leaf(res, ctx, prog, rep,
                                                     allowed):
                status = 'failed'
            counts[status] += 1
            if res.status == 'failed':
                rep.fail(f'{ctx}{res.line()}', _explain(res.output))
        elif res.status == 'failed':
            why = []
            if counts['failed'] == before['failed']:
                # A program failing without a failing leaf is one failure;
                # what it printed after its last case shows where it was.
                counts['failed'] += 1
                if res.sub and res.sub.trailing:
                    why = _explain(res.sub.trailing.entries)
            rep.fail(f'{ctx}{res.line()}', why)
    if level.trailing:
        # Output after the last result: a program that never finished.
        _tally(level.trailing, f'{ctx}{level.trailing.title} (unfinished): ',
               rep, allowed, program)


def _check_programs(top, expected, rep):
    """Fail unless the programs of @top are exactly @expected, once each."""
    reported = [program_name(res.name) for res in top.results]
    for prog in expected:
        if prog not in reported:
            rep.fail(f'expected program {prog} did not report')
    for prog in dict.fromkeys(reported):
        if prog not in expected:
            rep.fail(f'program {prog} is not in the expected list')
        elif reported.count(prog) > 1:
            rep.fail(f'program {prog} reported {reported.count(prog)} times')


def check_log(text, allowed_skips=None, expected=None, console=None,
              series=frozenset()):
    """Check a whole serial log; return a Report.

    allowed_skips is {(program, case): reason} (see read_allowed_skips();
    none by default), expected the list of programs that must report, or
    None not to check them.  With @console, @text is the KTAP stream the
    guest wrote to a serial port of its own and @console the kernel's
    console, where splats are looked for; init's failures count in both.
    @series holds the functions of the patch series (series_functions()),
    which tell xns's KCSAN reports from upstream's.
    """
    lines = read_lines(text)
    console_lines = lines if console is None else read_lines(console)
    allowed = allowed_skips or {}
    rep = Report(flaky=find_flaky(text))
    for where, log in (('', lines), ('console ', console_lines)):
        if where and console is None:
            break
        for lineno, line in enumerate(log, 1):
            if m := _INIT_FAIL.search(line):
                rep.fail(f'init at {where}line {lineno}: {m[1].strip()}')
    starts = [i for i, line in enumerate(lines) if _VERSION.match(line)]
    done = False
    if not starts:
        rep.fail('no KTAP output found (missing "KTAP version 1")')
    else:
        entries = []
        for lineno, line in enumerate(lines[starts[-1] + 1:], starts[-1] + 2):
            if line.rstrip() == _DONE:
                done = True
                break
            if not _TIMESTAMP.match(line):
                entries.append((lineno, line))
        top = parse_level(entries)
        _tally(top, '', rep, allowed)
        if top.plan is None:
            rep.fail('missing top-level plan "1..N"')
        elif top.plan != len(top.results):
            rep.fail(f'planned {top.plan} tests but got '
                     f'{len(top.results)} results')
        if expected is not None:
            _check_programs(top, expected, rep)
    if starts and not done:
        rep.fail(f'missing "{_DONE}": log truncated '
                 '(hang, crash or timeout)')
    where = 'console ' if console is not None else ''
    for label, lineno, line in find_splats(console_lines, series):
        rep.fail(f'kernel splat ({label}) at {where}line {lineno}: {line}')
    for lineno, line in upstream_kcsan(console_lines, series):
        rep.upstream.append(f'{where}line {lineno}: {line}')
    return rep


def check_text(text, allowed_skips=None, expected=None):
    """Check a whole serial log; return (counts, failures).

    counts is {'passed': P, 'failed': F, 'skipped': S} over leaf test
    cases, failures a list of one-line reasons (empty if the run is clean).
    """
    rep = check_log(text, allowed_skips, expected)
    return rep.counts, rep.failures


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
        allowed = read_allowed_skips(args.allowed_skips)
        expected = read_expected(args.expect) if args.expect else None
        console = read_log(args.console) if args.console else None
        series = series_functions(args.series)
        rep = check_log(read_log(args.log), allowed, expected, console,
                        series)
    except (OSError, ValueError) as e:
        rep = Report()
        rep.fail(f'cannot check the log: {e}')
    prefix = f'{args.arch}: ' if args.arch else ''
    print(f'{prefix}{summary(rep.counts)}')
    for reason in rep.skips:
        print(f'{prefix}SKIP: {reason}')
    for reason in rep.flaky:
        print(f'{prefix}FLAKY: {reason}')
    for report in rep.upstream:
        print(f'{prefix}upstream KCSAN report, no frame of xns: {report}')
    for reason, lines in zip(rep.failures, rep.details):
        print(f'{prefix}FAIL: {reason}')
        for line in lines:
            print(f'{prefix}    {line}')
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump({'arch': args.arch, 'log': args.log,
                       'counts': rep.counts, 'failures': rep.failures,
                       'skips': rep.skips, 'flaky': rep.flaky,
                       'upstream_kcsan': rep.upstream}, f, indent=1)
            f.write('\n')
    return 1 if rep.failures else 0


def cmd_total(args):
    """The "total" command: add up the JSON files of several "check" runs."""
    total = {'passed': 0, 'failed': 0, 'skipped': 0}
    problems, flaky_on = [], {}
    try:
        upstream_flakes = read_allowed_skips(args.upstream_flakes)
    except (OSError, ValueError) as e:
        upstream_flakes = {}
        problems.append(f'cannot read the upstream flakes: {e}')
    for path in args.files:
        try:
            with open(path, encoding='utf-8') as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            print(f'ktap.py: {path}: {e}', file=sys.stderr)
            problems.append(f'no results in {path}: {e}')
            continue
        arch = data.get('arch') or path
        counts = data.get('counts', {})
        for key in total:
            total[key] += int(counts.get(key, 0))
        failures = data.get('failures') or []
        if failures and not int(counts.get('failed', 0)):
            # A splat, a hang or a missing program: no test failed, but
            # the variant did.
            more = f' (and {len(failures) - 1} more)' if failures[1:] else ''
            problems.append(f'{arch}: {failures[0]}{more}')
        for reason in data.get('flaky', []):
            if excused_flake(reason, upstream_flakes):
                print(f'{arch}: FLAKY (a listed upstream flake): {reason}')
                continue
            print(f'{arch}: FLAKY: {reason}')
            m = _FLAKY_PROGRAM.match(reason)
            flaky_on.setdefault(m[1] if m else reason, []).append(arch)
    for prog, arches in flaky_on.items():
        if len(arches) > 1:
            problems.append(f'{prog} was FLAKY on {", ".join(arches)}: '
                            'a flake that shows on two variants of one run '
                            'is not an upstream race to retry')
    problems += [f'{step} failed' for step in args.failed_step]
    if not args.files and not args.failed_step:
        problems.append('no variant was checked')
    for reason in problems:
        print(f'FAIL: {reason}')
    total['failed'] += len(problems)
    print(summary(total))
    return 1 if total['failed'] else 0


def main(argv=None):
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog='ktap.py', description='Check xns selftest serial logs.')
    sub = parser.add_subparsers(dest='cmd', required=True)
    p = sub.add_parser('check', help='check one captured serial log')
    p.add_argument('log')
    p.add_argument('--console', metavar='FILE',
                   help='the kernel console, when LOG holds only the KTAP '
                   'stream: splats are looked for there')
    p.add_argument('--arch', default='', help='prefix for output lines')
    p.add_argument('--json', help='also write the result to this file')
    p.add_argument('--expect', metavar='FILE',
                   help='the programs that must report, one a line')
    p.add_argument('--allowed-skips', metavar='FILE', default=ALLOWED_SKIPS,
                   help='skips allowed in the xns collection '
                        '(default: %(default)s)')
    p.add_argument('--series', metavar='DIR', default=SERIES,
                   help='the patch series, whose functions make a KCSAN '
                        'report xns\'s (default: %(default)s)')
    p.set_defaults(func=cmd_check)
    p = sub.add_parser('total', help='add up "check --json" result files')
    p.add_argument('--failed-step', action='append', default=[],
                   metavar='NAME', help='a step of the run that failed '
                                        'before its tests (counts as failed)')
    p.add_argument('--upstream-flakes', metavar='FILE',
                   default=UPSTREAM_FLAKES,
                   help='cases of the kernel\'s own suites that lose races '
                        'on an unpatched kernel too (default: %(default)s)')
    p.add_argument('files', nargs='*', metavar='FILE')
    p.set_defaults(func=cmd_total)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == '__main__':
    sys.exit(main())
