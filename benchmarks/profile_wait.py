# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Measure (and optionally profile) one cdfmc_task_wait run: the before/after figures of benchmarks/fixes.md.

python benchmarks/profile_wait.py --collections-path DIR [--tasks 500] [--poll-interval 5] [--max-poll-interval 5]
                                  [--py-spy FILE]

With --py-spy, ansible-playbook runs under `py-spy record --subprocesses --gil` (py-spy must be installed)
and FILE gets the raw stacks; the CPU figures are then py-spy's too, so take them from a run without it.
"""

import argparse
import json
import os
import shutil
import sys

import harness


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--collections-path', required=True)
    parser.add_argument('--tasks', type=int, default=500)
    parser.add_argument('--within', type=float, default=60.0, help='tasks end at random times within this many seconds')
    parser.add_argument('--poll-interval', type=float, default=5.0)
    parser.add_argument('--max-poll-interval', type=float, default=5.0)
    parser.add_argument('--py-spy', metavar='FILE', help='record raw py-spy stacks of the whole run into FILE')
    args = parser.parse_args(argv)

    work_dir = harness.make_work_dir()
    simulator = harness.Simulator(os.path.join(work_dir, 'simulator'))
    runner = harness.Runner(os.path.abspath(args.collections_path), work_dir)
    if args.py_spy:
        wrapper = os.path.join(work_dir, 'ansible-playbook-under-py-spy')
        with open(wrapper, 'w') as handle:
            handle.write('#!/bin/sh\nexec py-spy record --subprocesses --gil --rate 200 --format raw --output %s -- %s "$@"\n'
                         % (os.path.abspath(args.py_spy), runner.ansible_playbook))
        os.chmod(wrapper, 0o755)
        runner.ansible_playbook = wrapper
    ends = harness.task_ends(args.tasks, args.within, 2026)
    try:
        simulator.load(harness.task_scenario(ends))
        run = runner.run('wait.yml', simulator, {
            'bench_task_ids': ['bench-%04d' % index for index in range(args.tasks)],
            'bench_poll_interval': args.poll_interval, 'bench_max_poll_interval': args.max_poll_interval,
            'bench_budget': max(100, 15 * args.tasks)}, sample_memory=not args.py_spy)
        log = simulator.requests()
    finally:
        simulator.stop()
    figures = {
        'rc': run.rc, 'tasks': args.tasks, 'cpu': round(run.cpu, 3), 'cpu_main': round(run.main_cpu, 3),
        'cpu_workers': round(run.cpu - run.main_cpu, 3), 'wall': round(run.wall, 2), 'requests': len(log),
        'worker_uss_mb': run.memory and round(run.memory['worker_uss_max'] / 1048576.0, 1),
        'worker_pss_mb': run.memory and round(run.memory['worker_pss_max'] / 1048576.0, 1),
    }
    print(json.dumps(figures))
    shutil.rmtree(work_dir, ignore_errors=True)
    return 0 if run.rc == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
