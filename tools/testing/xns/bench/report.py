#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the serial log of an xns-bench run into tables, CSV and JSON.

xns-bench prints every result as a self-contained "csv,KIND,..." line (the
console may interleave kernel messages between lines):

    csv,latency,OP,TYPE,SAMPLES,MEDIAN_NS,P99_NS,MEAN_NS
    csv,ratio,OP,RATIO,ROUND_MIN,ROUND_MAX,NET_RATIO
    csv,scale,TYPE,N,STATUS,NS_PER_CREATE,FIRST_BATCH,LAST_BATCH,
        CLOSE_MS,FREED_MS,SLAB_B,NSFS_B,OTHER_B,MEMAVAIL_B
    csv,slab,TYPE,N,CACHE,BYTES_PER_NS

Usage:
    report.py report LOG --variant V --mode M --measure {icount,time}
                     --host-cpu CPU --out PREFIX [--limits FILE]
    report.py diff BASE.json NEW.json --base-label A --new-label B
                   [--target R] [--out PREFIX]

"report" writes PREFIX.txt (the table, also printed), PREFIX.json and
PREFIX-{latency,ratio,scale,slab}.csv.  It exits 1 if the run did not
finish, the benchmark failed or the kernel printed a splat, and, with
--limits (the cost gate of make check), if an xns/uts ratio listed for the
variant is missing or above its limit.

"diff" compares the medians of two "report" runs op by op (NEW/BASE) and
their xns/uts ratios: the run-to-run spread of one kernel, or the patched
kernel against the unpatched one.  With --target, a NEW/BASE ratio above R
is reported as MISSED, as "report" does for its targets; the exit status
is 1 only if one of the runs failed.

With --measure icount the guest clock counted instructions (QEMU -icount
shift=0): every "_ns" figure is a number of guest instructions.
"""

import argparse
import csv
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..'))
import ktap  # noqa: E402  (find_splats, read_lines)

COLUMNS = {
    'latency': ['op', 'type', 'samples', 'median_ns', 'p99_ns', 'mean_ns'],
    'ratio': ['op', 'ratio', 'round_min', 'round_max', 'net_ratio'],
    'scale': ['type', 'n', 'status', 'ns_per_create', 'first_batch_ns',
              'last_batch_ns', 'close_ms', 'freed_ms', 'slab_bytes',
              'nsfs_bytes', 'other_bytes', 'memavail_bytes'],
    'slab': ['type', 'n', 'cache', 'bytes_per_ns'],
}

# Targets for the xns/uts ratio of medians (instructions): a module type
# should cost what UTS costs, in the initial namespace and in a child.
RATIO_TARGETS = {'proc_ns': 1.02, 'setns': 1.02, 'create_destroy_nofork': 1.10,
                 'proc_ns_child': 1.02, 'setns_child': 1.02,
                 'create_destroy_nofork_child': 1.10,
                 'create_destroy': 1.20, 'fork_inside': 1.05}
MEMORY_TARGET = 512
FLATNESS_TARGET = 1.5


def parse(lines):
    """Return ({kind: [row dict]}, [other xns-bench lines], exit status)."""
    rows = {kind: [] for kind in COLUMNS}
    notes, status = [], None
    for line in lines:
        line = line.strip()
        if line.startswith('csv,'):
            fields = line.split(',')[1:]
            kind = fields[0]
            if kind in COLUMNS and len(fields) - 1 == len(COLUMNS[kind]):
                rows[kind].append(dict(zip(COLUMNS[kind], fields[1:])))
        elif line.startswith('XNS-BENCH-EXIT: '):
            status = int(line.split()[1])
        elif line.startswith(('xns-bench', 'SKIP')):
            notes.append(line)
    return rows, notes, status


def num(text):
    """A CSV field as a float, or None when empty or not a number."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def fmt_ns(text, measure='time'):
    """A latency for humans: 812345 -> '812.3 us', or in instructions
    '812,345' (exact below 10^7, where run-to-run differences show)."""
    value = num(text)
    if value is None:
        return '-'
    if measure == 'icount':
        return f'{value:,.0f}' if value < 1e7 else f'{value / 1e6:,.1f} M'
    for unit, scale in (('s', 1e9), ('ms', 1e6), ('us', 1e3)):
        if value >= scale:
            return f'{value / scale:.1f} {unit}'
    return f'{value:.0f} ns'


def fmt_ms(text, measure='time'):
    """A duration given in ms: in icount mode, millions of instructions."""
    value = num(text)
    if value is None:
        return '-'
    return f'{value:.0f} M' if measure == 'icount' else f'{value:.0f} ms'


def latency_table(rows, measure='time'):
    """The per-op table: medians, p99s, ratio and target."""
    lat = {(r['op'], r['type']): r for r in rows['latency']}
    ratio = {r['op']: r for r in rows['ratio']}
    ops = list(dict.fromkeys(r['op'] for r in rows['latency']))
    head = ('op', 'xns median', 'uts median', 'xns p99', 'uts p99',
            'xns/uts', 'rounds', 'target')
    table = [head]
    for op in ops:
        xns, uts = lat.get((op, 'xns'), {}), lat.get((op, 'uts'), {})
        if not xns and not uts:
            continue
        r = ratio.get(op, {})
        value, target = num(r.get('ratio')), RATIO_TARGETS.get(op)
        verdict = '-'
        if target and value is not None:
            verdict = f"<= {target:.2f} {'met' if value <= target else 'MISSED'}"
        text = f'{value:.3f}' if value is not None else '-'
        net = num(r.get('net_ratio'))
        if net is not None:
            # Without the fork+exit+wait both sides pay.
            text += f' (net {net:.3f})'
            if target:
                verdict += f", net {'met' if net <= target else 'MISSED'}"
        rounds = '-'
        if num(r.get('round_min')) is not None:
            rounds = f"{float(r['round_min']):.2f}..{float(r['round_max']):.2f}"
        table.append((op, fmt_ns(xns.get('median_ns'), measure),
                      fmt_ns(uts.get('median_ns'), measure),
                      fmt_ns(xns.get('p99_ns'), measure),
                      fmt_ns(uts.get('p99_ns'), measure), text, rounds,
                      verdict))
    fork = lat.get(('create_destroy', 'none'))
    if fork:
        table.append(('(fork+exit+wait)', '-', '-', '-', '-', '-', '-',
                      f"baseline {fmt_ns(fork['median_ns'], measure)}"))
    return table


def scale_table(rows, measure='time'):
    """Creation at scale: time per create, teardown, memory per namespace."""
    head = ('type', 'N', 'per create', 'first..last batch', 'close all',
            'all freed', 'slab B/ns', 'nsfs B/ns', 'own B/ns', 'MemAvail B/ns')
    table = [head]
    for r in rows['scale']:
        if r['status'] != 'ok':
            table.append((r['type'], r['n'], r['status']) + ('',) * 7)
            continue
        table.append((r['type'], r['n'], fmt_ns(r['ns_per_create'], measure),
                      f"{fmt_ns(r['first_batch_ns'], measure)}.."
                      f"{fmt_ns(r['last_batch_ns'], measure)}",
                      fmt_ms(r['close_ms'], measure),
                      fmt_ms(r['freed_ms'], measure),
                      r['slab_bytes'], r['nsfs_bytes'], r['other_bytes'],
                      r['memavail_bytes']))
    return table


def verdicts(rows):
    """Scale and memory targets, one line each."""
    lines = []
    ok = [r for r in rows['scale'] if r['status'] == 'ok']
    for kind in ('xns', 'uts'):
        mine = sorted((r for r in ok if r['type'] == kind),
                      key=lambda r: int(r['n']))
        if len(mine) >= 2:
            first, last = mine[0], mine[-1]
            growth = float(last['ns_per_create']) / float(first['ns_per_create'])
            verdict = 'met' if growth <= FLATNESS_TARGET else 'MISSED'
            lines.append(f"{kind}: per-create time N={last['n']} / "
                         f"N={first['n']}: {growth:.2f}x "
                         f'(target <= {FLATNESS_TARGET}x: {verdict})')
    xns = [r for r in ok if r['type'] == 'xns']
    if xns:
        big = max(xns, key=lambda r: int(r['n']))
        own = float(big['other_bytes'])
        verdict = 'met' if own <= MEMORY_TARGET else 'MISSED'
        lines.append(f"xns: memory beyond the nsfs inode/dentry/file at "
                     f"N={big['n']}: {own:.0f} B/ns (target <= "
                     f'{MEMORY_TARGET}: {verdict})')
    return lines


def render(table):
    """An RST simple table."""
    widths = [max(len(str(row[i])) for row in table)
              for i in range(len(table[0]))]
    rule = '  '.join('=' * w for w in widths)
    out = [rule]
    for i, row in enumerate(table):
        out.append('  '.join(str(c).ljust(w)
                             for c, w in zip(row, widths)).rstrip())
        if i == 0:
            out.append(rule)
    out.append(rule)
    return '\n'.join(out)


MEASURES = {'icount': 'guest instructions (QEMU -icount shift=0)',
            'time': 'wall-clock time (CLOCK_MONOTONIC)'}


def read_limits(path, variant):
    """The cost limits of @variant: [(op, limit, measured)] from a file of
    "VARIANT OP LIMIT MEASURED" lines ('#' starts a comment)."""
    limits = []
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            words = line.split('#', 1)[0].split()
            if not words:
                continue
            if len(words) != 4 or num(words[2]) is None or \
                    num(words[3]) is None:
                raise ValueError(f'{path}:{n}: expected VARIANT OP LIMIT '
                                 f'MEASURED, got: {line.strip()}')
            if words[0] == variant:
                limits.append((words[1], float(words[2]), float(words[3])))
    return limits


def gate(rows, limits):
    """Check xns/uts ratios against @limits: (lines, problems, passed)."""
    ratio = {r['op']: num(r['ratio']) for r in rows['ratio']}
    lines, problems, passed = [], [], 0
    for op, limit, measured in limits:
        value = ratio.get(op)
        if value is None:
            problems.append(f'cost gate: no xns/uts ratio for {op}')
            continue
        ok = value <= limit
        lines.append(f"cost gate: {op} xns/uts {value:.3f} <= {limit:.3f} "
                     f"(measured {measured:.3f}): {'ok' if ok else 'FAIL'}")
        passed += ok
        if not ok:
            problems.append(f'cost gate: {op} xns/uts {value:.3f} is over '
                            f'its limit {limit:.3f}')
    return lines, problems, passed


def cmd_report(args):
    """The "report" command: tables, CSV and JSON of one run."""
    with open(args.log, encoding='utf-8', errors='replace') as f:
        lines = ktap.read_lines(f.read())
    rows, notes, status = parse(lines)
    splats = ktap.find_splats(lines)
    date = datetime.date.today().isoformat()
    meta = {'variant': args.variant, 'date': date, 'host_cpu': args.host_cpu,
            'qemu_mode': args.mode, 'measure': args.measure,
            'guest': notes[0] if notes else '', 'exit': status,
            'log': args.log}

    text = [f'xns-bench {args.variant}, {date}; host CPU: {args.host_cpu}; '
            f'QEMU {args.mode}; measured in {MEASURES[args.measure]}',
            *notes[:1], '']
    if rows['latency']:
        text += [render(latency_table(rows, args.measure)), '']
    if rows['scale']:
        text += [render(scale_table(rows, args.measure)), '']
    text += verdicts(rows)
    text += [n for n in notes[1:] if 'done' not in n]
    problems = []
    if status is None:
        problems.append('no XNS-BENCH-EXIT: the guest did not finish')
    elif status:
        problems.append(f'xns-bench exited with {status}')
    problems += [f'kernel splat ({label}) at line {n}: {line}'
                 for label, n, line in splats]
    if args.limits:
        gate_lines, gate_problems, passed = gate(
            rows, read_limits(args.limits, args.variant))
        text += gate_lines
        problems += gate_problems
    text += [f'FAIL: {p}' for p in problems]
    if problems:
        text.append(f'bench log: {args.log}')
    report = '\n'.join(text).rstrip() + '\n'
    print(report, end='')

    with open(args.out + '.txt', 'w', encoding='utf-8') as f:
        f.write(report)
    result = {'meta': meta, **rows, 'problems': problems}
    if args.limits:
        # Each limit is one test in make check's total (ktap.py total).
        result.update(arch=f'{args.variant} cost gate', failures=problems,
                      counts={'passed': passed,
                              'failed': len(gate_problems)})
    with open(args.out + '.json', 'w', encoding='utf-8') as f:
        json.dump(result, f, indent=1)
        f.write('\n')
    for kind, columns in COLUMNS.items():
        with open(f'{args.out}-{kind}.csv', 'w', encoding='utf-8',
                  newline='') as f:
            writer = csv.DictWriter(f, fieldnames=['variant', *columns])
            writer.writeheader()
            for row in rows[kind]:
                writer.writerow({'variant': args.variant, **row})
    return 1 if problems else 0


def diff_tables(base, new, args):
    """Per (op, type) medians NEW/BASE, then xns/uts ratios: (tables,
    missed targets)."""
    measure = new['meta'].get('measure', 'time')
    old = {(r['op'], r['type']): num(r['median_ns']) for r in base['latency']}
    med = [('op', 'type', f'{args.base_label} median',
            f'{args.new_label} median', f'{args.new_label}/{args.base_label}',
            'target')]
    missed = []
    for r in new['latency']:
        a, b = old.get((r['op'], r['type'])), num(r['median_ns'])
        if not a or b is None:
            continue
        verdict = '-'
        if args.target:
            ok = b / a <= args.target
            verdict = f"<= {args.target} {'met' if ok else 'MISSED'}"
            if not ok:
                missed.append(f"{r['op']} {r['type']}: "
                              f'{args.new_label}/{args.base_label} '
                              f'{b / a:.4f} > {args.target}')
        med.append((r['op'], 'fork+exit+wait' if r['type'] == 'none'
                    else r['type'], fmt_ns(a, measure), fmt_ns(b, measure),
                    f'{b / a:.4f}', verdict))
    old_ratio = {r['op']: num(r['ratio']) for r in base['ratio']}
    ratios = [('op', f'{args.base_label} xns/uts', f'{args.new_label} xns/uts',
               'difference')]
    for r in new['ratio']:
        a, b = old_ratio.get(r['op']), num(r['ratio'])
        if a is not None and b is not None:
            ratios.append((r['op'], f'{a:.3f}', f'{b:.3f}', f'{b - a:+.3f}'))
    tables = [med] + ([ratios] if len(ratios) > 1 else [])
    return tables, missed


def cmd_diff(args):
    """The "diff" command: two runs, op by op."""
    runs = []
    for path in (args.base, args.new):
        with open(path, encoding='utf-8') as f:
            runs.append(json.load(f))
    base, new = runs
    tables, missed = diff_tables(base, new, args)
    problems, text = [], []
    for label, run in ((args.base_label, base), (args.new_label, new)):
        meta = run['meta']
        text.append(f"{label}: {meta.get('guest', '')}; "
                    f"{meta.get('variant')}, {meta.get('date')}, QEMU "
                    f"{meta.get('qemu_mode')}, measured in "
                    f"{MEASURES.get(meta.get('measure', 'time'))}")
        problems += [f'{label}: {p}' for p in run.get('problems', [])]
    for table in tables:
        text += ['', render(table)]
    text += [f'MISSED: {m}' for m in missed]
    text += [f'FAIL: {p}' for p in problems]
    report = '\n'.join(text).rstrip() + '\n'
    print(report, end='')
    if args.out:
        with open(args.out + '.txt', 'w', encoding='utf-8') as f:
            f.write(report)
    return 1 if problems else 0


def main(argv=None):
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog='report.py')
    sub = parser.add_subparsers(dest='cmd', required=True)
    p = sub.add_parser('report', help='tables, CSV and JSON of one run')
    p.add_argument('log')
    p.add_argument('--variant', required=True)
    p.add_argument('--mode', required=True)
    p.add_argument('--measure', required=True, choices=sorted(MEASURES))
    p.add_argument('--host-cpu', required=True)
    p.add_argument('--out', required=True)
    p.add_argument('--limits', help='cost limits to check (the gate)')
    p.set_defaults(func=cmd_report)
    p = sub.add_parser('diff', help='compare two runs (their .json)')
    p.add_argument('base')
    p.add_argument('new')
    p.add_argument('--base-label', default='base')
    p.add_argument('--new-label', default='new')
    p.add_argument('--target', type=float,
                   help='highest NEW/BASE ratio of medians that passes')
    p.add_argument('--out', help='also write PREFIX.txt')
    p.set_defaults(func=cmd_diff)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == '__main__':
    sys.exit(main())
