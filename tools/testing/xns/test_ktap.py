# SPDX-License-Identifier: GPL-2.0
"""Host-side tests for ktap.py and ktap-run.c.

Run from the top of the tree:
    python3 -m unittest discover -s tools/testing/xns -p 'test_*.py'

The logs under testdata/ look like captured QEMU serial consoles: kernel
lines with timestamps and the output of ktap-run with nested
kselftest_harness runs.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, 'testdata')
TOP = os.path.normpath(os.path.join(HERE, '..', '..', '..'))
SELFTESTS = os.path.join(TOP, 'tools', 'testing', 'selftests', 'xns')
sys.path.insert(0, HERE)

import ktap  # noqa: E402


def fixture(name):
    """Path of a test log."""
    return os.path.join(DATA, name)


def splat(name, label, needle):
    """The failure ktap.py reports for the first line of @name with @needle."""
    with open(fixture(name), encoding='utf-8', newline='') as f:
        lines = ktap.read_lines(f.read())
    for lineno, line in enumerate(lines, 1):
        if needle in line:
            return f'kernel splat ({label}) at line {lineno}: {line.strip()}'
    raise AssertionError(f'{needle!r} not in {name}')


def counts(passed, failed, skipped):
    """A counts dict as returned by ktap.check_text()."""
    return {'passed': passed, 'failed': failed, 'skipped': skipped}


def check_fixture(name, **kwargs):
    """ktap.check_log() on the log @name."""
    return ktap.check_log(ktap.read_log(fixture(name)), **kwargs)


class FixtureTest(unittest.TestCase):
    """ktap.check_file() on the hand-written logs."""

    def check(self, name, want_counts, want_failures):
        got_counts, failures = ktap.check_file(fixture(name))
        self.assertEqual(failures, want_failures)
        self.assertEqual(got_counts, want_counts)

    def test_clean_pass(self):
        # Also holds boot-time KUnit KTAP, hung_task_panic=1 on the command
        # line and kmemleak start-up lines: none of them may count.
        self.check('pass.log', counts(6, 0, 2), [])

    def test_leaf_not_ok(self):
        self.check('leaf_fail.log', counts(4, 1, 0), [
            'selftests: xns_basic: not ok 3 ns.enter',
            'not ok 1 selftests: xns_basic # exit=1',
        ])

    def test_timeout(self):
        self.check('timeout.log', counts(3, 1, 0), [
            'selftests: xns_wait: nested plan 1..3 but 1 results',
            'not ok 2 selftests: xns_wait # TIMEOUT 120 seconds',
        ])
        # The timeout shows the case that was running.
        self.assertEqual(check_fixture('timeout.log').details[1],
                         [' RUN           wait.for_peer ...'])

    def test_skip(self):
        # A harness SKIP, a "1..0 # SKIP" program and an exit-4 script.
        self.check('skip.log', counts(1, 0, 3), [])

    def test_missing_plan(self):
        self.check('missing_plan.log', counts(2, 0, 0),
                   ['missing top-level plan "1..N"'])

    def test_short_plan(self):
        self.check('short_plan.log', counts(2, 0, 0),
                   ['planned 3 tests but got 2 results'])

    def test_truncated(self):
        self.check('truncated.log', counts(2, 0, 0), [
            'selftests: xns_userns (unfinished): nested plan 1..3 '
            'but 1 results',
            'planned 2 tests but got 1 results',
            'missing "# ktap-run: done": log truncated '
            '(hang, crash or timeout)',
        ])

    def test_oops(self):
        self.check('oops.log', counts(3, 1, 0), [
            'selftests: xns_basic: not ok 2 ns.enter',
            'not ok 1 selftests: xns_basic # exit=1',
            splat('oops.log', 'BUG', 'BUG: kernel NULL pointer'),
            splat('oops.log', 'Oops', 'Oops: Oops: 0000'),
            splat('oops.log', 'Call Trace', 'Call Trace:'),
        ])

    def test_warning(self):
        self.check('warning.log', counts(3, 0, 0), [
            splat('warning.log', 'WARNING', 'WARNING: rust/xns/ns.rs:142'),
            splat('warning.log', 'Call Trace', 'Call Trace:'),
        ])

    def test_lockdep(self):
        self.check('lockdep.log', counts(2, 0, 0), [
            splat('lockdep.log', 'lockdep', 'possible circular locking'),
            splat('lockdep.log', 'Call Trace', 'Call Trace:'),
        ])

    def test_kasan(self):
        # arm64 spells it "Call trace:".
        self.check('kasan.log', counts(2, 0, 0), [
            splat('kasan.log', 'KASAN', 'BUG: KASAN: slab-use-after-free'),
            splat('kasan.log', 'Call Trace', 'Call trace:'),
        ])

    def test_crlf(self):
        with open(fixture('crlf.log'), 'rb') as f:
            self.assertIn(b'\r\r\n', f.read())
        self.check('crlf.log', counts(2, 0, 1), [])

    def test_interleaved_kernel_messages(self):
        self.check('interleaved.log', counts(5, 0, 0), [])

    def test_failure_details(self):
        # A failing case comes with its assertion lines.
        rep = check_fixture('leaf_fail.log')
        self.assertEqual(rep.failures[0],
                         'selftests: xns_basic: not ok 3 ns.enter')
        self.assertEqual(rep.details[0], [
            ' RUN           ns.enter ...',
            'xns_basic.c:57:enter:Expected 0 (0) == xns_enter(self->fd) (-1)',
            'enter: Test terminated by assertion',
            '         FAIL  ns.enter',
        ])
        # Its program failed through it: no lines repeated there.
        self.assertEqual(rep.details[1], [])

    def test_failure_details_capped(self):
        rep = check_fixture('long_fail.log')
        self.assertEqual(rep.failures, [
            'selftests: xns: xns_stress_test: not ok 1 stress.root.workers',
            'not ok 1 selftests: xns: xns_stress_test # exit=1',
        ])
        lines = rep.details[0]
        self.assertEqual(len(lines), ktap.DETAIL_LINES + 1)
        self.assertEqual(lines[0], '[12 earlier lines from log line 8]')
        self.assertEqual(lines[-4:], [
            'xns_stress_test.c:1085:workers:Expected base (1) == nr (2)',
            'xns_stress_test.c:1086:workers:a namespace outlived the workers',
            'workers: Test terminated by assertion',
            '         FAIL  stress.root.workers',
        ])

    def test_xns_skip_fails(self):
        # A skip in xns/ fails the run unless allowed; the kernel's own
        # suites may skip, and every skip is listed.
        kernel_skip = ('selftests: namespaces: listns_test: ok 2 '
                       'global.listns_net # SKIP network namespaces are not '
                       'enabled')
        xns_skip = ('selftests: xns: xns_ns_test: ok 2 xns.per_user_limit '
                    '# SKIP 2 xns namespaces exist already')
        rep = check_fixture('xns_skip.log')
        self.assertEqual(rep.counts, counts(2, 1, 1))
        self.assertEqual(rep.failures, [
            f'{xns_skip}: a skip in xns/ not listed in allowed-skips'])
        self.assertEqual(rep.details[0][1],
                         '     SKIP      2 xns namespaces exist already')
        self.assertEqual(rep.skips, [kernel_skip])

        allowed = ktap.read_allowed_skips(fixture('allowed_skips'))
        self.assertEqual(allowed, {('xns_ns_test', 'xns.per_user_limit'):
                                   'a namespace from boot is still alive'})
        rep = check_fixture('xns_skip.log', allowed_skips=allowed)
        self.assertEqual((rep.counts, rep.failures), (counts(2, 0, 2), []))
        self.assertEqual(rep.skips, [
            kernel_skip,
            f'{xns_skip} (allowed: a namespace from boot is still alive)'])

    def test_allowed_skip_needs_reason(self):
        with self.assertRaisesRegex(ValueError, 'reason is not optional'):
            ktap.read_allowed_skips(fixture('allowed_skips_no_reason'))

    def test_init_failure(self):
        # insmod failed at boot: the tests that ran passed, the run fails.
        self.check('init_fail.log', counts(1, 0, 0), [
            "init at line 5: insmod /lib/modules/xns.ko: insmod: can't "
            "insert '/lib/modules/xns.ko': unknown symbol in module, or "
            "unknown parameter"])

    def test_expected_programs(self):
        expected = ktap.read_expected(fixture('programs.expected'))
        self.assertEqual(expected, ['pidfd: pidfd_setns_test',
                                    'xns: xns_label_test'])
        rep = check_fixture('missing_program.log', expected=expected)
        self.assertEqual((rep.counts, rep.failures), (counts(2, 0, 0), [
            'expected program xns: xns_label_test did not report',
            'program xns: helper_test is not in the expected list',
        ]))
        # Without a list, nothing is checked.
        self.assertEqual(check_fixture('missing_program.log').failures, [])


TOP = 'KTAP version 1\n1..1\n# selftests: t\n'
DONE = '# ktap-run: done\n'


class ParserTest(unittest.TestCase):
    """Small inline logs for the corner cases."""

    def test_no_ktap(self):
        got = ktap.check_text('[    0.000000] Linux version 7.3.4\n')
        self.assertEqual(got, (counts(0, 0, 0), [
            'no KTAP output found (missing "KTAP version 1")']))

    def test_todo_is_not_a_failure(self):
        log = (TOP + '# 1..2\n# ok 1 a\n# not ok 2 b # TODO known broken\n'
               'ok 1 selftests: t\n' + DONE)
        self.assertEqual(ktap.check_text(log), (counts(1, 0, 1), []))

    def test_totals_mismatch(self):
        log = (TOP + '# 1..1\n# ok 1 a\n'
               '# # Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0\n'
               'ok 1 selftests: t\n' + DONE)
        self.assertEqual(ktap.check_text(log)[1], [
            'selftests: t: harness Totals count 2 tests but 1 results'])

    def test_program_reported_twice(self):
        log = ('KTAP version 1\n1..2\n# selftests: xns: t\n'
               'ok 1 selftests: xns: t\nok 2 selftests: xns: t\n' + DONE)
        self.assertEqual(ktap.check_text(log, expected=['xns: t'])[1],
                         ['program xns: t reported 2 times'])

    def test_failed_program_without_failed_leaf(self):
        log = TOP + '# 1..1\n# ok 1 a\nnot ok 1 selftests: t # signal=9\n'
        self.assertEqual(ktap.check_text(log + DONE), (counts(1, 1, 0), [
            'not ok 1 selftests: t # signal=9']))

    def test_separate_ktap_stream(self):
        # Results on their own serial port: a kernel line on the console
        # cannot split them, and splats are still found on the console.
        ktap_text = ('KTAP version 1\n1..1\n# selftests: xns: t\n'
                     '# 1..1\n# ok 1 a\nok 1 selftests: xns: t\n'
                     f'{ktap._DONE}\n')
        console = ('[    1.0] Run /init as init process\n'
                   '[    2.0] xns: some message\n')
        rep = ktap.check_log(ktap_text, console=console)
        self.assertEqual((rep.counts, rep.failures), (counts(1, 0, 0), []))
        splat = console + '[    3.0] BUG: KASAN: use-after-free in f+0x1/0x2\n'
        rep = ktap.check_log(ktap_text, console=splat)
        self.assertEqual(rep.failures, [
            'kernel splat (KASAN) at console line 3: [    3.0] BUG: KASAN: '
            'use-after-free in f+0x1/0x2'])
        # init's failures count wherever they are printed.
        init_fail = '# init: FAIL: no second serial port for the KTAP results\n'
        rep = ktap.check_log(ktap_text, console=console + init_fail)
        self.assertEqual(rep.failures, [
            'init at console line 3: no second serial port for the KTAP '
            'results'])
        # No results on the port: the run fails, whatever the console says.
        rep = ktap.check_log('', console=console + ktap_text)
        self.assertIn('no KTAP output found (missing "KTAP version 1")',
                      rep.failures)

    def test_splat_patterns(self):
        samples = {
            'lockdep': 'WARNING: suspicious RCU usage',
            'KCSAN': 'BUG: KCSAN: data-race in ns_ext_task_get / f',
            'KASAN': 'BUG: KASAN: slab-out-of-bounds in f+0x1/0x2',
            'UBSAN': 'UBSAN: array-index-out-of-bounds in x.c:3:4',
            'kmemleak': 'kmemleak: 2 new suspected memory leaks (see ...)',
            'refcount': 'refcount_t: underflow; use-after-free.',
            'list corruption': 'list_del corruption, ffff8880 ->next is '
                               'LIST_POISON1',
            'stack-protector': 'Kernel panic - not syncing: '
                               'stack-protector: Kernel stack is corrupted',
            'soft lockup': 'watchdog: BUG: soft lockup - CPU#0 stuck for 22s!',
            'hard lockup': 'CPU1: Watchdog detected hard LOCKUP on cpu 1',
            'hung task': 'INFO: task xns_basic:190 blocked for more than '
                         '120 seconds.',
            'RCU stall': 'rcu: INFO: rcu_preempt detected stalls on '
                         'CPUs/tasks:',
            'panic': 'Kernel panic - not syncing: Fatal exception',
            'GPF': 'Oops: general protection fault, probably for '
                   'non-canonical address 0xdead000000000122',
            'page fault': 'Unable to handle kernel NULL pointer dereference '
                          'at virtual address 0000000000000010',
            'Oops': 'Internal error: Oops: 0000000096000005 [#1] SMP',
            'BUG': 'BUG: sleeping function called from invalid context',
            'WARNING': 'WARNING: kernel/foo.c:1 at f+0x1/0x2, CPU#0: x/1',
            'Call Trace': 'Call Trace:',
        }
        self.assertEqual(set(samples), {p[0] for p in ktap.SPLAT_PATTERNS})
        for label, text in samples.items():
            with self.subTest(label=label):
                line = f'[   12.345678] {text}'
                if label == 'KCSAN':
                    frame = ' ns_ext_task_get+0x1c/0x80'
                    self.assertEqual(
                        ktap.find_splats(['boot', line, frame],
                                         frozenset({'ns_ext_task_get'})),
                        [(label, 2, f'{line} (at {frame.strip()})')])
                    continue
                self.assertEqual(ktap.find_splats(['boot', line]),
                                 [(label, 2, line)])

    # A KCSAN report as the kernel prints it (Documentation/dev-tools/
    # kcsan.rst), between two lines of "=", with two frames to replace.
    KCSAN_REPORT = [
        '[    5.0] ' + '=' * 66,
        '[    5.0] BUG: KCSAN: data-race in FUNC_A / FUNC_B',
        '[    5.0] ',
        '[    5.0] write to 0xffff888004a6e2a8 of 8 bytes by task 487 on '
        'cpu 0:',
        '[    5.0]  FUNC_A',
        '[    5.0]  do_syscall_64+0x82/0x190',
        '[    5.0] ',
        '[    5.0] read to 0xffff888004a6e2a8 of 8 bytes by task 488 on '
        'cpu 1:',
        '[    5.0]  FUNC_B',
        '[    5.0]  kthread+0x23e/0x260',
        '[    5.0] ',
        '[    5.0] value changed: 0x00000000000009a6 -> 0x00000000000009b2',
        '[    5.0] ',
        '[    5.0] Reported by Kernel Concurrency Sanitizer on:',
        '[    5.0] CPU: 1 UID: 0 PID: 488 Comm: xns_race_test Not tainted '
        '7.3.4 #1 PREEMPTLAZY',
        '[    5.0] ' + '=' * 66,
        '[    5.1] after the report: ns_ext_task_get+0x1/0x2',
    ]

    def kcsan_report(self, frame_a, frame_b):
        return ['boot'] + [line.replace('FUNC_A', frame_a)
                           .replace('FUNC_B', frame_b)
                           for line in self.KCSAN_REPORT]

    def test_kcsan_report_of_xns_fails(self):
        series = frozenset({'ns_ext_task_get', 'validate_nsset'})
        for a, b, culprit in (
                ('ns_ext_task_get+0x1c/0x80', 'copy_process+0x1/0x2',
                 'ns_ext_task_get+0x1c/0x80'),
                ('do_exit+0x1/0x2', 'validate_nsset+0x10/0x300',
                 'validate_nsset+0x10/0x300'),
                ('xns_label_set+0x12/0x40 [xns]', 'do_exit+0x1/0x2',
                 'xns_label_set+0x12/0x40 [xns]'),
                ('do_exit+0x1/0x2', 'ns_ext_task_get.cold+0x4/0x8',
                 'ns_ext_task_get.cold+0x4/0x8')):
            with self.subTest(a=a, b=b):
                lines = self.kcsan_report(a, b)
                self.assertEqual(ktap.find_splats(lines, series), [
                    ('KCSAN', 3, f'{lines[2].strip()} (at [    5.0]  '
                                 f'{culprit})')])
                self.assertEqual(ktap.upstream_kcsan(lines, series), [])
                rep = ktap.check_log('\n'.join(lines), series=series)
                self.assertIn('kernel splat (KCSAN) at line 3: ',
                              rep.failures[-1])

    def test_kcsan_report_of_upstream_is_noted(self):
        series = frozenset({'ns_ext_task_get'})
        lines = self.kcsan_report('copy_process+0x1/0x2', 'do_exit+0x1/0x2')
        # A series function after the report's end does not count.
        self.assertEqual(ktap.find_splats(lines, series), [])
        self.assertEqual(ktap.upstream_kcsan(lines, series),
                         [(3, lines[2].strip())])
        rep = ktap.check_log('\n'.join(lines), series=series)
        self.assertEqual(rep.upstream, [f'line 3: {lines[2].strip()}'])
        self.assertNotIn('KCSAN', ' '.join(rep.failures))

    def test_series_functions(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, '0001-x.patch'), 'w',
                      encoding='utf-8') as f:
                f.write('--- a/kernel/nsproxy.c\n'
                        '+++ b/kernel/nsproxy.c\n'
                        '@@ -1,3 +1,9 @@ static struct nsproxy '
                        '*create_new_namespaces(u64 flags,\n'
                        '+static int ns_ext_copy(struct nsproxy *new)\n'
                        '+{\n'
                        '+\treturn helper_called(new);\n'
                        '+}\n'
                        '-int removed_function(void)\n'
                        ' int context_function(void)\n')
            with open(os.path.join(d, '0000-cover-letter.patch'), 'w',
                      encoding='utf-8') as f:
                f.write('Subject: [PATCH 0/1] prose(not code)\n')
            with open(os.path.join(d, 'notes.txt'), 'w',
                      encoding='utf-8') as f:
                f.write('+int not_a_patch(void)\n')
            self.assertEqual(ktap.series_functions(d),
                             {'create_new_namespaces', 'ns_ext_copy'})
        self.assertIn('ns_ext_task_get', ktap.series_functions(ktap.SERIES))

    # What warn_alloc() printed when xns_fault_test failed an allocation
    # of finit_module() (x86_64-debug, 2026-11-30), without the frames.
    ALLOC_REPORT = [
        'boot',
        'xns_fault_test: vmalloc error: size 80768, align 0x1, vm_struct '
        'allocation failed, mode:0xcc0(GFP_KERNEL), nodemask=(null)',
        'CPU: 1 UID: 0 PID: 2293 Comm: xns_fault_test Tainted: G           '
        'O        7.3.4 #7 PREEMPTLAZY  ',
        'Tainted: [O]=OOT_MODULE',
        'Call Trace:',
        ' <TASK>',
        ' dump_stack_lvl+0x63/0x80',
        ' warn_alloc+0x100/0x110',
        ' </TASK>',
        'Mem-Info:',
    ]

    def test_expected_allocation_failure_trace(self):
        report = self.ALLOC_REPORT
        self.assertEqual(ktap.find_splats(report), [])
        stamped = [f'[   12.345678] {line}' for line in report]
        self.assertEqual(ktap.find_splats(stamped), [])
        pages = [line.replace('vmalloc error: size 80768, align 0x1, '
                              'vm_struct allocation failed',
                              'page allocation failure: order:0')
                 for line in report]
        self.assertNotEqual(pages, report)
        self.assertEqual(ktap.find_splats(pages), [])
        # Other CPUs may print in between.
        apart = report[:2] + ['other'] * 2 + report[2:4] + ['other'] * 2 + \
            report[4:]
        self.assertEqual(ktap.find_splats(apart), [])

    def test_unexpected_traces_are_splats(self):
        report = self.ALLOC_REPORT
        trace = ('Call Trace', 5, 'Call Trace:')
        other_stack = report[2].replace('Comm: xns_fault_test',
                                        'Comm: kworker/0:1')
        cases = {
            # Another task's allocation failure.
            'other task': [line.replace('xns_fault_test', 'xns_ns_test')
                           for line in report],
            # A stack dump of the task without an allocation failure.
            'no warn_alloc': (report[:1] + ['xns_fault_test: hello'] +
                              report[2:]),
            # The failure of one task, the stack of another.
            'other stack': report[:2] + [other_stack] + report[3:],
            # Too far apart to be one report.
            'far apart': report[:2] + ['other'] * 7 + report[2:],
        }
        for what, lines in cases.items():
            with self.subTest(what=what):
                found = ktap.find_splats(lines)
                self.assertEqual([s[0] for s in found], ['Call Trace'])
                if what != 'far apart':
                    self.assertEqual(found, [trace])
        # A splat inside such a report is one.
        warning = 'WARNING: kernel/foo.c:1 at f+0x1/0x2, CPU#1: x/1'
        self.assertEqual(
            ktap.find_splats(report[:4] + [warning] + report[4:]),
            [('WARNING', 5, warning)])

    def test_no_false_splats_at_boot(self):
        with open(fixture('pass.log'), encoding='utf-8') as f:
            self.assertEqual(ktap.find_splats(ktap.read_lines(f.read())), [])

    def test_summary(self):
        self.assertEqual(ktap.summary(counts(12, 0, 1)),
                         '12 passed, 0 failed, 1 skipped')
        self.assertEqual(ktap.summary(counts(3, 2, 0)), '3 passed, 2 failed')


class CliTest(unittest.TestCase):
    """ktap.py check and ktap.py total as a caller runs them."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def run_ktap(self, *args):
        return subprocess.run([sys.executable, os.path.join(HERE, 'ktap.py'),
                               *args], capture_output=True, text=True,
                              check=False)

    def check(self, log, arch):
        out = os.path.join(self.tmp.name, f'{arch}.json')
        proc = self.run_ktap('check', fixture(log), '--arch', arch,
                             '--json', out)
        return proc, out

    def test_check_pass(self):
        proc, out = self.check('pass.log', 'x86_64')
        self.assertEqual(proc.returncode, 0)
        self.assertEqual(proc.stdout.splitlines(), [
            'x86_64: 6 passed, 0 failed, 2 skipped',
            'x86_64: SKIP: selftests: xns_basic: ok 4 ns.setns_legacy '
            '# SKIP needs CONFIG_XNS_LEGACY',
            'x86_64: SKIP: selftests: xns_userns: ok 3 userns.unpriv.nested '
            '# XFAIL unknown',
        ])
        with open(out, encoding='utf-8') as f:
            data = json.load(f)
        self.assertEqual(data['counts'], counts(6, 0, 2))
        self.assertEqual(data['failures'], [])

    def test_check_fail(self):
        proc, _ = self.check('leaf_fail.log', 'arm64')
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(proc.stdout.splitlines(), [
            'arm64: 4 passed, 1 failed',
            'arm64: FAIL: selftests: xns_basic: not ok 3 ns.enter',
            'arm64:      RUN           ns.enter ...',
            'arm64:     xns_basic.c:57:enter:Expected 0 (0) == '
            'xns_enter(self->fd) (-1)',
            'arm64:     enter: Test terminated by assertion',
            'arm64:              FAIL  ns.enter',
            'arm64: FAIL: not ok 1 selftests: xns_basic # exit=1',
        ])

    def test_check_allowed_skips(self):
        out = os.path.join(self.tmp.name, 'x86_64.json')
        proc = self.run_ktap('check', fixture('xns_skip.log'), '--arch',
                             'x86_64', '--json', out)
        self.assertEqual(proc.returncode, 1)
        self.assertIn('x86_64: FAIL: selftests: xns: xns_ns_test: ok 2 '
                      'xns.per_user_limit # SKIP 2 xns namespaces exist '
                      'already: a skip in xns/ not listed in allowed-skips',
                      proc.stdout.splitlines())
        proc = self.run_ktap('check', fixture('xns_skip.log'),
                             '--allowed-skips', fixture('allowed_skips'))
        self.assertEqual(proc.returncode, 0)
        proc = self.run_ktap('check', fixture('xns_skip.log'),
                             '--allowed-skips',
                             fixture('allowed_skips_no_reason'))
        self.assertEqual(proc.returncode, 1)
        self.assertIn('reason is not optional', proc.stdout)

    def test_check_expected_programs(self):
        proc = self.run_ktap('check', fixture('missing_program.log'),
                             '--expect', fixture('programs.expected'))
        self.assertEqual((proc.returncode, proc.stdout.splitlines()), (1, [
            '2 passed, 0 failed',
            'FAIL: expected program xns: xns_label_test did not report',
            'FAIL: program xns: helper_test is not in the expected list',
        ]))

    def test_total(self):
        x86 = self.check('pass.log', 'x86_64')[1]
        arm = self.check('crlf.log', 'arm64')[1]
        proc = self.run_ktap('total', x86, arm)
        self.assertEqual((proc.returncode, proc.stdout),
                         (0, '8 passed, 0 failed, 3 skipped\n'))
        bad = self.check('leaf_fail.log', 'riscv64')[1]
        proc = self.run_ktap('total', x86, bad)
        self.assertEqual((proc.returncode, proc.stdout),
                         (1, '10 passed, 1 failed, 2 skipped\n'))

    def test_flaky(self):
        proc, out = self.check('flaky.log', 'x86_64')
        flaky = ('namespaces: ns_active_ref_test failed (exit=1), '
                 'running it again (failed: global.race)')
        self.assertEqual((proc.returncode, proc.stdout.splitlines()), (0, [
            'x86_64: 3 passed, 0 failed', f'x86_64: FLAKY: {flaky}']))
        proc = self.run_ktap('total', out)
        self.assertEqual((proc.returncode, proc.stdout.splitlines()), (0, [
            f'x86_64: FLAKY: {flaky}', '3 passed, 0 failed']))

    def test_total_failures_without_failed_tests(self):
        # A splat fails the variant without a failed test: it still counts
        # as one, so the last line says "failed".
        splatted = self.check('warning.log', 'x86_64')[1]
        proc = self.run_ktap('total', splatted)
        self.assertEqual((proc.returncode, proc.stdout.splitlines()), (1, [
            'FAIL: x86_64: ' + splat('warning.log', 'WARNING',
                                     'WARNING: rust/xns/ns.rs:142')
            + ' (and 1 more)',
            '3 passed, 1 failed']))

    def test_total_failed_steps(self):
        # Host tests, lint or a build failed: no test failed, the run did.
        x86 = self.check('pass.log', 'x86_64')[1]
        proc = self.run_ktap('total', '--failed-step', 'lint',
                             '--failed-step', 'arm64 build', x86)
        self.assertEqual((proc.returncode, proc.stdout.splitlines()), (1, [
            'FAIL: lint failed', 'FAIL: arm64 build failed',
            '6 passed, 2 failed, 2 skipped']))
        proc = self.run_ktap('total', '--failed-step', 'host tests')
        self.assertEqual((proc.returncode, proc.stdout.splitlines()), (1, [
            'FAIL: host tests failed', '0 passed, 1 failed']))
        proc = self.run_ktap('total')
        self.assertEqual((proc.returncode, proc.stdout.splitlines()), (1, [
            'FAIL: no variant was checked', '0 passed, 1 failed']))

    def test_total_missing_results(self):
        # ktap.py check died before writing them (check.sh removes stale
        # ones first).
        missing = os.path.join(self.tmp.name, 'gone.json')
        proc = self.run_ktap('total', missing)
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(proc.stdout.splitlines()[-1], '0 passed, 1 failed')

    def test_upstream_flakes_file(self):
        # The real list parses, and every entry carries its evidence.
        flakes = ktap.read_allowed_skips(ktap.UPSTREAM_FLAKES)
        self.assertTrue(flakes)
        for (prog, case), evidence in flakes.items():
            self.assertIn('unpatched', evidence, (prog, case))

    def test_flaky_on_two_variants(self):
        flaky = ('namespaces: ns_active_ref_test failed (exit=1), '
                 'running it again (failed: global.race)')
        x86 = self.check('flaky.log', 'x86_64')[1]
        arm = self.check('flaky.log', 'arm64')[1]
        proc = self.run_ktap('total', x86, arm)
        self.assertEqual((proc.returncode, proc.stdout.splitlines()), (1, [
            f'x86_64: FLAKY: {flaky}', f'arm64: FLAKY: {flaky}',
            'FAIL: namespaces: ns_active_ref_test was FLAKY on x86_64, '
            'arm64: a flake that shows on two variants of one run is not an '
            'upstream race to retry',
            '6 passed, 1 failed']))
        # Listed with its evidence, the case is excused on both.
        flakes = os.path.join(self.tmp.name, 'upstream-flakes')
        with open(flakes, 'w', encoding='utf-8') as f:
            f.write('ns_active_ref_test global.race fails unpatched too\n')
        proc = self.run_ktap('total', '--upstream-flakes', flakes, x86, arm)
        self.assertEqual((proc.returncode, proc.stdout.splitlines()), (0, [
            f'x86_64: FLAKY (a listed upstream flake): {flaky}',
            f'arm64: FLAKY (a listed upstream flake): {flaky}',
            '6 passed, 0 failed']))
        # Another case of the same program is not.
        with open(flakes, 'w', encoding='utf-8') as f:
            f.write('ns_active_ref_test global.other fails unpatched\n')
        proc = self.run_ktap('total', '--upstream-flakes', flakes, x86, arm)
        self.assertEqual(proc.returncode, 1)


# Moves to a process group of its own, says so in ARGV1.pgid, sleeps.
SETPGID_SLEEP = ('import os, sys, time; os.setpgid(0, 0); '
                 'open(sys.argv[1] + \'.pgid\', \'w\')'
                 '.write(str(os.getpgrp())); time.sleep(60)')

SCRIPTS = {
    'pass.sh': 'echo hello\necho\nprintf partial\n',
    'fail.sh': 'echo failing on purpose >&2\nexit 3\n',
    'skip.sh': 'exit 4\n',
    # The grandchild ignores SIGTERM and keeps the pipe open.
    'hang.sh': '(trap "" TERM; exec sleep 60) &\necho $! > "$0.pid"\n'
               'echo started\nwait\n',
    'segv.sh': 'kill -SEGV $$\n',
    'nested.sh': 'echo "TAP version 13"\necho 1..2\necho "ok 1 a"\n'
                 'echo "not ok 2 b"\nexit 1\n',
    # Fails the first time it runs, passes the second.
    'once.sh': 'echo 1..1\nif [ -e "$0.ran" ]; then echo "ok 1 race"; exit 0; fi\n'
               'touch "$0.ran"\necho "not ok 1 race"\nexit 1\n',
    # As kselftest_harness runs a test case: in a process group of its
    # own, which a kill of the program's group misses.
    'escape.sh': f'({sys.executable} -c "{SETPGID_SLEEP}" "$0") &\n'
                 'echo $! > "$0.pid"\necho started\nwait\n',
    # Exits as soon as such a process is set up, leaving it behind, off
    # the pipe.
    'leave.sh': f'rm -f "$0.pgid"\n({sys.executable} -c "{SETPGID_SLEEP}" '
                '"$0") >/dev/null 2>&1 &\necho $! > "$0.pid"\n'
                'while [ ! -s "$0.pgid" ]; do sleep 0.1; done\n',
    'slow.sh': 'sleep 2\n',
}


class KtapRunTest(unittest.TestCase):
    """Build ktap-run.c with the host gcc and run it on shell scripts."""

    @classmethod
    def setUpClass(cls):
        gcc = shutil.which('gcc')
        if not gcc:
            raise unittest.SkipTest('gcc not found')
        cls.tmp = tempfile.TemporaryDirectory()
        cls.bin = os.path.join(cls.tmp.name, 'ktap-run')
        subprocess.run([gcc, '-O2', '-Wall', '-Wextra', '-Werror', '-o',
                        cls.bin, os.path.join(HERE, 'ktap-run.c')],
                       check=True)
        # Programs are named "collection: program" after their directory.
        cls.suite = os.path.join(cls.tmp.name, 'xns')
        os.mkdir(cls.suite)
        for name, body in SCRIPTS.items():
            path = os.path.join(cls.suite, name)
            with open(path, 'w', encoding='utf-8') as f:
                f.write('#!/bin/sh\n' + body)
            os.chmod(path, 0o755)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def ktap_run(self, *names, retry=(), limits=()):
        paths = [os.path.join(self.suite, n) for n in names]
        globs = [arg for g in retry
                 for arg in ('-r', os.path.join(self.suite, g))]
        globs += [arg for g in limits
                  for arg in ('-T', os.path.join(self.suite, g))]
        return subprocess.run([self.bin, '-t', '1', *globs, *paths],
                              capture_output=True, text=True, timeout=60,
                              check=False)

    @staticmethod
    def untimed(text):
        """The lines of ktap-run's @text, wall times replaced by "T"."""
        return [re.sub(r' took \d+\.\d s$', ' took T s', line)
                for line in text.splitlines()]

    def test_clean_run(self):
        proc = self.ktap_run('pass.sh', 'skip.sh')
        self.assertEqual(proc.returncode, 0)
        self.assertEqual(self.untimed(proc.stdout), [
            'KTAP version 1', '1..2',
            '# selftests: xns: pass.sh', '# hello', '# ', '# partial',
            '# ktap-run: xns: pass.sh took T s',
            'ok 1 selftests: xns: pass.sh',
            '# selftests: xns: skip.sh',
            '# ktap-run: xns: skip.sh took T s',
            'ok 2 selftests: xns: skip.sh # SKIP',
            '# ktap-run: done',
        ])
        # The scripts are in a directory named xns: their skip is not allowed.
        self.assertEqual(ktap.check_text(proc.stdout), (counts(1, 1, 0), [
            'ok 2 selftests: xns: skip.sh # SKIP: a skip in xns/ not listed '
            'in allowed-skips']))

    def test_failing_run(self):
        start = time.monotonic()
        proc = self.ktap_run('pass.sh', 'fail.sh', 'skip.sh', 'hang.sh',
                             'segv.sh', 'nested.sh')
        self.assertLess(time.monotonic() - start, 10)
        self.assertEqual(proc.returncode, 1)
        lines = proc.stdout.splitlines()
        self.assertEqual(lines[:2], ['KTAP version 1', '1..6'])
        self.assertEqual(lines[-1], '# ktap-run: done')
        for want in ('# failing on purpose', 'not ok 2 selftests: xns: fail.sh # exit=3',
                     '# started',
                     'not ok 4 selftests: xns: hang.sh # TIMEOUT 1 seconds',
                     'not ok 5 selftests: xns: segv.sh # signal=11'):
            self.assertIn(want, lines)
        self.assert_killed(os.path.join(self.suite, 'hang.sh.pid'))
        self.assertEqual(ktap.check_text(proc.stdout), (counts(2, 5, 0), [
            'not ok 2 selftests: xns: fail.sh # exit=3',
            'ok 3 selftests: xns: skip.sh # SKIP: a skip in xns/ not listed '
            'in allowed-skips',
            'not ok 4 selftests: xns: hang.sh # TIMEOUT 1 seconds',
            'not ok 5 selftests: xns: segv.sh # signal=11',
            'selftests: xns: nested.sh: not ok 2 b',
            'not ok 6 selftests: xns: nested.sh # exit=1',
        ]))

    def test_retry(self):
        ran = os.path.join(self.suite, 'once.sh.ran')
        self.addCleanup(lambda: os.path.exists(ran) and os.unlink(ran))
        # Only programs matching -r get a second run; others fail at once.
        proc = self.ktap_run('once.sh', 'fail.sh', 'pass.sh',
                             retry=('once.*', 'fail.*'))
        self.assertEqual(proc.returncode, 1)
        lines = proc.stdout.splitlines()
        self.assertEqual(self.untimed(proc.stdout)[2:16], [
            '# selftests: xns: once.sh',
            '# 1st attempt| # 1..1', '# 1st attempt| # not ok 1 race',
            '# ktap-run: flaky: xns: once.sh failed (exit=1), '
            'running it again',
            '# 1..1', '# ok 1 race', '# ktap-run: xns: once.sh took T s',
            'ok 1 selftests: xns: once.sh',
            '# selftests: xns: fail.sh',
            '# 1st attempt| # failing on purpose',
            '# ktap-run: flaky: xns: fail.sh failed (exit=3), '
            'running it again',
            '# 2nd attempt| # failing on purpose',
            '# ktap-run: flaky: xns: fail.sh failed (exit=3), '
            'running it again',
            '# failing on purpose',
        ])
        self.assertIn('not ok 2 selftests: xns: fail.sh # exit=3', lines)
        self.assertEqual(ktap.check_text(proc.stdout), (counts(2, 1, 0), [
            'not ok 2 selftests: xns: fail.sh # exit=3']))
        self.assertEqual(ktap.find_flaky(proc.stdout), [
            'xns: once.sh failed (exit=1), running it again (failed: race)',
            'xns: fail.sh failed (exit=3), running it again',
            'xns: fail.sh failed (exit=3), running it again'])
        os.unlink(ran)
        proc = self.ktap_run('once.sh')
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(ktap.find_flaky(proc.stdout), [])

    def test_timeout_kills_other_process_groups(self):
        pidfile = os.path.join(self.suite, 'escape.sh.pid')
        proc = self.ktap_run('escape.sh')
        self.assertIn('not ok 1 selftests: xns: escape.sh # TIMEOUT 1 seconds',
                      proc.stdout.splitlines())
        with open(pidfile, encoding='utf-8') as f:
            pid = int(f.read())
        # It did leave the program's process group...
        with open(os.path.join(self.suite, 'escape.sh.pgid'),
                  encoding='utf-8') as f:
            self.assertEqual(int(f.read()), pid)
        # ...and was killed with the program all the same.
        self.assert_killed(pidfile)

    def test_left_behind_processes_killed(self):
        pidfile = os.path.join(self.suite, 'leave.sh.pid')
        start = time.monotonic()
        # It exits once Python has started; its limit is not the point.
        proc = self.ktap_run('leave.sh', 'pass.sh', limits=('leave.sh=30',))
        self.assertLess(time.monotonic() - start, 10)
        self.assertEqual(proc.returncode, 0)
        self.assert_killed(pidfile)
        self.assertIn('# ktap-run: killed 1 processes left behind by '
                      f'{self.suite}/leave.sh', proc.stdout.splitlines())

    def test_program_limit(self):
        # -t 1 for all, -T for one program; the first matching -T counts.
        proc = self.ktap_run('slow.sh', 'pass.sh',
                             limits=('slow.*=5', 'slow.sh=1', 'pass.sh=1'))
        self.assertEqual(proc.returncode, 0)
        self.assertIn('ok 1 selftests: xns: slow.sh', proc.stdout.splitlines())
        self.assertRegex(proc.stdout,
                         r'\n# ktap-run: xns: slow\.sh took [2-4]\.\d s\n')
        proc = self.ktap_run('slow.sh')
        self.assertIn('not ok 1 selftests: xns: slow.sh # TIMEOUT 1 seconds',
                      proc.stdout.splitlines())
        for bad in ('slow.sh', '=5', 'slow.sh=0', 'slow.sh=x'):
            proc = subprocess.run([self.bin, '-T', bad, 'true'],
                                  capture_output=True, check=False)
            self.assertEqual(proc.returncode, 2, bad)

    def assert_killed(self, pidfile):
        """The grandchild in @pidfile must be gone (or a zombie)."""
        with open(pidfile, encoding='utf-8') as f:
            pid = int(f.read())
        for _ in range(50):
            try:
                with open(f'/proc/{pid}/stat', encoding='utf-8') as f:
                    state = f.read().rsplit(')', 1)[1].split()[0]
            except FileNotFoundError:
                return
            if state == 'Z':
                return
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)
        self.fail(f'grandchild {pid} survived its program')


def harness_cases(path):
    """The test cases of a kselftest_harness source: [(name, timeout)].

    A TEST_F() runs once per FIXTURE_VARIANT_ADD() of its fixture; the
    harness allows a case 30 s unless TEST_F_TIMEOUT() says otherwise.
    """
    with open(path, encoding='utf-8') as f:
        src = f.read()
    variants = {}
    for fixture in re.findall(r'^FIXTURE_VARIANT_ADD\((\w+),', src, re.M):
        variants[fixture] = variants.get(fixture, 0) + 1
    cases = []
    for m in re.finditer(r'^(TEST(?:_F)?(?:_SIGNAL|_TIMEOUT)?)\(([^)]*)\)',
                         src, re.M):
        args = [arg.strip() for arg in m[2].split(',')]
        timeout = int(args[2]) if m[1] == 'TEST_F_TIMEOUT' else 30
        if m[1].startswith('TEST_F'):
            cases += [(f'{args[0]}.{args[1]}', timeout)] * variants.get(
                args[0], 1)
        else:
            cases.append((f'global.{args[0]}', timeout))
    return cases


class GuestScriptTest(unittest.TestCase):
    """init.sh and the allowlist against the sources they depend on."""

    @classmethod
    def setUpClass(cls):
        with open(os.path.join(HERE, 'init.sh'), encoding='utf-8') as f:
            cls.init = f.read()
        cls.table = {prog: (int(cases), int(each)) for prog, cases, each in
                     re.findall(r'\b(\w+_test):(\d+):(\d+)\b', cls.init)}

    def limits(self, stress_seconds):
        """{program: seconds} as init.sh passes them to ktap-run -T."""
        snippet = re.search(r'^\tlimits=\n.*?^\tdone\n', self.init,
                            re.M | re.S)[0]
        proc = subprocess.run(['sh', '-c', snippet + 'echo "$limits"'],
                              env={**os.environ,
                                   'XNS_STRESS_SECONDS': stress_seconds},
                              capture_output=True, text=True, check=True)
        args = proc.stdout.split()
        self.assertEqual(args[::2], ['-T'] * len(self.table))
        return {os.path.basename(arg.split('=')[0]): int(arg.split('=')[1])
                for arg in args[1::2]}

    def test_limits_table_matches_sources(self):
        # Every program with a TEST_F_TIMEOUT has a limit of its own, and
        # the table gives its cases and their harness limit.
        bounded = {}
        for name in sorted(os.listdir(SELFTESTS)):
            if not name.endswith('.c'):
                continue
            cases = harness_cases(os.path.join(SELFTESTS, name))
            if any(timeout != 30 for _, timeout in cases):
                bounded[name[:-2]] = (len(cases),
                                      max(timeout for _, timeout in cases))
        self.assertEqual(self.table, bounded)

    def test_limits_cover_harness_limits(self):
        for seconds in ('5', '100', '2.5', 'junk'):
            limits = self.limits(seconds)
            for prog, (cases, each) in self.table.items():
                with self.subTest(prog=prog, seconds=seconds):
                    self.assertGreater(limits[prog], cases * each)
                    work = float(seconds) if seconds != 'junk' else 0
                    self.assertGreater(limits[prog], cases * 2 * work)

    def test_retries_name_programs(self):
        # Only named upstream flakes get a second run, never a glob: the
        # two programs, as they are and run inside module namespaces.
        retried = re.findall(r'-r (\S+)', self.init)
        self.assertEqual(retried, [
            '/selftests/namespaces/ns_active_ref_test',
            '/selftests/namespaces/stress_test',
            '/selftests/namespaces-in-module-ns/ns_active_ref_test',
            '/selftests/namespaces-in-module-ns/stress_test'])

    def test_allowed_skips_name_real_cases(self):
        allowed = ktap.read_allowed_skips(ktap.ALLOWED_SKIPS)
        for prog, case in allowed:
            with self.subTest(prog=prog, case=case):
                path = os.path.join(SELFTESTS, f'{prog}.c')
                self.assertTrue(os.path.exists(path))
                names = {name for name, _ in harness_cases(path)}
                # fixture.variant.test of a TEST_F with variants.
                fixture, *_, test = case.split('.')
                self.assertIn(f'{fixture}.{test}', names)


if __name__ == '__main__':
    unittest.main()
