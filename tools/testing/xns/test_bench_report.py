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

    def report(self, log):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        out = os.path.join(tmp.name, 'bench')
        proc = subprocess.run([sys.executable, REPORT, log, '--variant',
                               'x86_64', '--mode', 'TCG', '--host-cpu', 'cpu',
                               '--out', out], capture_output=True, text=True,
                              check=False)
        with open(out + '.json', encoding='utf-8') as f:
            return proc, json.load(f), out

    def test_tables_and_targets(self):
        proc, data, out = self.report(LOG)
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertIn('<= 1.20 met, net MISSED', proc.stdout)
        self.assertIn('<= 1.10 met', proc.stdout)
        self.assertIn('per-create time N=1000000 / N=1000: 1.20x', proc.stdout)
        self.assertIn('300 B/ns (target <= 512: met)', proc.stdout)
        self.assertEqual(len(data['latency']), 6)
        self.assertEqual(data['scale'][2]['status'], 'skipped')
        self.assertEqual(data['meta']['qemu_mode'], 'TCG')
        with open(out + '-scale.csv', encoding='utf-8') as f:
            self.assertEqual(len(f.read().splitlines()), 4)

    def test_unfinished_run_fails(self):
        with open(LOG, encoding='utf-8') as f:
            text = f.read()
        with tempfile.NamedTemporaryFile('w', suffix='.log') as f:
            f.write(text.replace('XNS-BENCH-EXIT: 0', '[ 9.9] Kernel panic'))
            f.flush()
            proc, data, _ = self.report(f.name)
        self.assertEqual(proc.returncode, 1)
        self.assertIn('FAIL: no XNS-BENCH-EXIT', proc.stdout)
        self.assertIn('kernel splat (panic)', proc.stdout)
        self.assertEqual(len(data['problems']), 2)


if __name__ == '__main__':
    unittest.main()
