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

Usage: report.py LOG --variant V --mode M --host-cpu CPU --out PREFIX
writes PREFIX.txt (the table, also printed), PREFIX.json and
PREFIX-{latency,ratio,scale,slab}.csv.  Exits 1 if the run did not finish,
the benchmark failed or the kernel printed a splat.
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

# The targets of the benchmark issue: xns/uts ratio of medians.
RATIO_TARGETS = {'setns': 1.10, 'proc_ns': 1.05, 'create_destroy': 1.20,
                 'create_destroy_nofork': 1.20, 'fork_inside': 1.05}
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


def fmt_ns(text):
    """Nanoseconds for humans: 812345 -> '812.3 us'."""
    value = num(text)
    if value is None:
        return '-'
    for unit, scale in (('s', 1e9), ('ms', 1e6), ('us', 1e3)):
        if value >= scale:
            return f'{value / scale:.1f} {unit}'
    return f'{value:.0f} ns'


def latency_table(rows):
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
        table.append((op, fmt_ns(xns.get('median_ns')),
                      fmt_ns(uts.get('median_ns')), fmt_ns(xns.get('p99_ns')),
                      fmt_ns(uts.get('p99_ns')), text, rounds, verdict))
    fork = lat.get(('create_destroy', 'none'))
    if fork:
        table.append(('(fork+exit+wait)', '-', '-', '-', '-', '-', '-',
                      f"baseline {fmt_ns(fork['median_ns'])}"))
    return table


def scale_table(rows):
    """Creation at scale: time per create, teardown, memory per namespace."""
    head = ('type', 'N', 'per create', 'first..last batch', 'close all',
            'all freed', 'slab B/ns', 'nsfs B/ns', 'own B/ns', 'MemAvail B/ns')
    table = [head]
    for r in rows['scale']:
        if r['status'] != 'ok':
            table.append((r['type'], r['n'], r['status']) + ('',) * 7)
            continue
        ms = (lambda v: f'{float(v):.0f} ms' if num(v) is not None else '-')
        table.append((r['type'], r['n'], fmt_ns(r['ns_per_create']),
                      f"{fmt_ns(r['first_batch_ns'])}.."
                      f"{fmt_ns(r['last_batch_ns'])}",
                      ms(r['close_ms']), ms(r['freed_ms']),
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


def main(argv=None):
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog='report.py')
    parser.add_argument('log')
    parser.add_argument('--variant', required=True)
    parser.add_argument('--mode', required=True)
    parser.add_argument('--host-cpu', required=True)
    parser.add_argument('--out', required=True)
    args = parser.parse_args(argv)

    with open(args.log, encoding='utf-8', errors='replace') as f:
        lines = ktap.read_lines(f.read())
    rows, notes, status = parse(lines)
    splats = ktap.find_splats(lines)
    date = datetime.date.today().isoformat()
    meta = {'variant': args.variant, 'date': date, 'host_cpu': args.host_cpu,
            'qemu_mode': args.mode, 'guest': notes[0] if notes else '',
            'exit': status, 'log': args.log}

    text = [f'xns-bench {args.variant}, {date}; host CPU: {args.host_cpu}; '
            f'QEMU {args.mode}', *notes[:1], '']
    if rows['latency']:
        text += [render(latency_table(rows)), '']
    if rows['scale']:
        text += [render(scale_table(rows)), '']
    text += verdicts(rows)
    text += [n for n in notes[1:] if 'done' not in n]
    problems = []
    if status is None:
        problems.append('no XNS-BENCH-EXIT: the guest did not finish')
    elif status:
        problems.append(f'xns-bench exited with {status}')
    problems += [f'kernel splat ({label}) at line {n}: {line}'
                 for label, n, line in splats]
    text += [f'FAIL: {p}' for p in problems]
    if problems:
        text.append(f'bench log: {args.log}')
    report = '\n'.join(text).rstrip() + '\n'
    print(report, end='')

    with open(args.out + '.txt', 'w', encoding='utf-8') as f:
        f.write(report)
    with open(args.out + '.json', 'w', encoding='utf-8') as f:
        json.dump({'meta': meta, **rows, 'problems': problems}, f, indent=1)
        f.write('\n')
    for kind, columns in COLUMNS.items():
        with open(f'{args.out}-{kind}.csv', 'w', encoding='utf-8',
                  newline='') as f:
            writer = csv.DictWriter(f, fieldnames=['variant', *columns])
            writer.writeheader()
            for row in rows[kind]:
                writer.writerow({'variant': args.variant, **row})
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
