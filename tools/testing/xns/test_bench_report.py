#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests for bench/report.py on a captured (abridged) xns-bench log."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPORT = os.path.join(HERE, 'bench', 'report.py')
LOG = os.path.join(HERE, 'testdata', 'bench.log')


class ReportTest(unittest.TestCase):
    """report.py as bench.sh runs it."""

    def tmpdir(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        return tmp.name

    def report(self, log, measure='time', extra=(), name='bench'):
        out = os.path.join(self.tmpdir(), name)
        proc = subprocess.run([sys.executable, REPORT, 'report', log,
                               '--variant', 'x86_64', '--mode', 'TCG',
                               '--measure', measure, '--host-cpu', 'cpu',
                               '--out', out, *extra], capture_output=True,
                              text=True, check=False)
        with open(out + '.json', encoding='utf-8') as f:
            return proc, json.load(f), out

    def limits(self, text):
        path = os.path.join(self.tmpdir(), 'cost-limits')
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)
        return ['--limits', path]

    def log_with(self, old, new):
        with open(LOG, encoding='utf-8') as f:
            text = f.read()
        self.assertIn(old, text)
        path = os.path.join(self.tmpdir(), 'changed.log')
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text.replace(old, new))
        return path

    def diff(self, base, new, *extra):
        proc = subprocess.run([sys.executable, REPORT, 'diff', base, new,
                               '--base-label', 'unpatched', '--new-label',
                               'patched', *extra], capture_output=True,
                              text=True, check=False)
        return proc

    def test_tables_and_targets(self):
        proc, data, out = self.report(LOG)
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertIn('<= 1.20 met, net MISSED', proc.stdout)
        self.assertIn('1.071', proc.stdout)
        self.assertIn('<= 1.02 MISSED', proc.stdout)
        self.assertIn('812.3 us', proc.stdout)
        self.assertIn('wall-clock time', proc.stdout)
        self.assertIn('per-create time N=1000000 / N=1000: 1.20x', proc.stdout)
        self.assertIn('300 B/ns (target <= 512: met)', proc.stdout)
        self.assertEqual(len(data['latency']), 6)
        self.assertEqual(data['scale'][2]['status'], 'skipped')
        self.assertEqual(data['meta']['qemu_mode'], 'TCG')
        with open(out + '-scale.csv', encoding='utf-8') as f:
            self.assertEqual(len(f.read().splitlines()), 4)

    def test_icount_units(self):
        proc, data, _ = self.report(LOG, 'icount')
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertIn('guest instructions', proc.stdout)
        self.assertIn('812,345', proc.stdout)
        self.assertNotIn(' us ', proc.stdout)
        self.assertEqual(data['meta']['measure'], 'icount')

    def test_gate_passes_within_limits(self):
        proc, _, out = self.report(LOG, 'icount', self.limits(
            '# comment\nx86_64 setns 1.08 1.071 # trailing\n'
            'arm64 setns 1.00 1.00\n'))
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertIn('cost gate: setns xns/uts 1.071 <= 1.080 '
                      '(measured 1.071): ok', proc.stdout)
        self.assertNotIn('arm64', proc.stdout)
        with open(out + '.json', encoding='utf-8') as f:
            counts = json.load(f)['counts']
        self.assertEqual(counts, {'passed': 1, 'failed': 0})

    def test_gate_fails_over_limit(self):
        proc, data, _ = self.report(LOG, 'icount', self.limits(
            'x86_64 setns 1.05 1.04\n'))
        self.assertEqual(proc.returncode, 1, proc.stdout)
        self.assertIn('FAIL: cost gate: setns xns/uts 1.071 is over its '
                      'limit 1.050', proc.stdout)
        self.assertEqual(len(data['problems']), 1)
        self.assertEqual(data['counts'], {'passed': 0, 'failed': 1})
        self.assertEqual(data['failures'], data['problems'])

    def test_gate_fails_on_missing_op(self):
        proc, _, _ = self.report(LOG, 'icount', self.limits(
            'x86_64 proc_ns 1.05 1.04\n'))
        self.assertEqual(proc.returncode, 1, proc.stdout)
        self.assertIn('FAIL: cost gate: no xns/uts ratio for proc_ns',
                      proc.stdout)

    def test_gate_rejects_malformed_limits(self):
        out = os.path.join(self.tmpdir(), 'bench')
        proc = subprocess.run([sys.executable, REPORT, 'report', LOG,
                               '--variant', 'x86_64', '--mode', 'TCG',
                               '--measure', 'icount', '--host-cpu', 'cpu',
                               '--out', out,
                               *self.limits('x86_64 setns 1.08\n')],
                              capture_output=True, text=True, check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn('expected VARIANT OP LIMIT MEASURED', proc.stderr)

    def test_diff_same_run(self):
        _, _, out = self.report(LOG, 'icount')
        proc = self.diff(out + '.json', out + '.json', '--target', '1.005')
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertRegex(proc.stdout, r'setns +uts +2,800 +2,800 +1.0000')
        self.assertIn('fork+exit+wait', proc.stdout)
        self.assertIn('1.0000', proc.stdout)
        self.assertIn('+0.000', proc.stdout)

    def test_diff_target_missed(self):
        _, _, base = self.report(LOG, 'icount', name='base')
        _, _, new = self.report(self.log_with(
            'csv,latency,setns,uts,1500,2800,', 'csv,latency,setns,uts,1500,2816,'),
            'icount', name='new')
        proc = self.diff(base + '.json', new + '.json', '--target', '1.005')
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertIn('MISSED: setns uts: patched/unpatched 1.0057 > 1.005',
                      proc.stdout)
        self.assertIn('<= 1.005 met', proc.stdout)
        self.assertNotIn('FAIL', proc.stdout)

    def test_diff_failed_run_fails(self):
        _, _, base = self.report(LOG, 'icount', name='base')
        _, _, new = self.report(self.log_with(
            'XNS-BENCH-EXIT: 0', '[ 9.9] Kernel panic'), 'icount', name='new')
        proc = self.diff(base + '.json', new + '.json')
        self.assertEqual(proc.returncode, 1, proc.stdout)
        self.assertIn('FAIL: patched: no XNS-BENCH-EXIT', proc.stdout)

    def test_unfinished_run_fails(self):
        proc, data, _ = self.report(self.log_with(
            'XNS-BENCH-EXIT: 0', '[ 9.9] Kernel panic'))
        self.assertEqual(proc.returncode, 1)
        self.assertIn('FAIL: no XNS-BENCH-EXIT', proc.stdout)
        self.assertIn('kernel splat (panic)', proc.stdout)
        self.assertEqual(len(data['problems']), 2)


if __name__ == '__main__':
    unittest.main()
