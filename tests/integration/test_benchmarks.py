# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark suite's own arithmetic, and one short run of the whole suite (--quick)."""

import json
import os
import subprocess
import sys

import pytest

psutil = pytest.importorskip('psutil', reason='the benchmark suite needs psutil (tests/requirements-tools.txt)')
pytest.importorskip('matplotlib', reason='the benchmark suite needs matplotlib (tests/requirements-tools.txt)')

from conftest import ROOT  # noqa: E402 - tests/integration/conftest.py

sys.path.insert(0, os.path.join(ROOT, 'benchmarks'))

import harness  # noqa: E402 - found through the path set above
import report  # noqa: E402

from ansible_collections.cisco.cdfmc.plugins.plugin_utils._wait import PollSchedule  # noqa: E402


def test_task_ends_are_repeatable_and_within_range():
    ends = harness.task_ends(100, 60, 7)
    assert ends == harness.task_ends(100, 60, 7)
    assert ends != harness.task_ends(100, 60, 8)
    assert all(0.5 <= end <= 60 for end in ends)


def test_detection_latency_is_the_first_poll_at_or_after_the_end():
    polls = {'a': [0.0, 5.0, 12.5], 'b': [0.0, 5.0]}
    latencies = harness.detection_latencies(polls, {'a': 6.0, 'b': 9.0})
    assert latencies == {'a': 6.5, 'b': None}
    assert harness.gap_in_force(polls['a'], 6.0) == 7.5
    assert harness.gap_in_force(polls['a'], 0.0) is None  # seen at the first poll: no gap was in force


def test_requests_are_grouped_per_task_and_429s_counted():
    log = [
        {'path': '/api/fmc_config/v1/domain/d/job/taskstatuses/bench-0001', 'since_load': 3.0, 'status': 200},
        {'path': '/api/fmc_config/v1/domain/d/job/taskstatuses/bench-0001', 'since_load': 1.0, 'status': 429},
        {'path': '/api/fmc_config/v1/domain/d/job/taskstatuses/other', 'since_load': 2.0, 'status': 200},
        {'path': '/api/fmc_platform/v1/info/domain', 'since_load': 0.5, 'status': 200},
    ]
    assert harness.task_requests(log, 'bench') == {'bench-0001': [1.0, 3.0]}
    assert harness.rate_limited(log) == 1
    assert harness.max_in_window(log, window=2.0) == 2  # 0.5 and 2.0 (the 429 is not counted)


def test_the_steady_request_rate_leaves_out_the_first_poll():
    # A poll every 15 s from 1 s on: the first reads twice, the others once; then two requests a poll.
    assert harness.steady_request_rate([1.0, 1.2, 16.0, 31.0, 46.0, 61.0], 15.0) == 4.0
    assert harness.steady_request_rate([1.0, 1.2, 1.4, 16.0, 16.2, 31.0, 31.2], 15.0) == pytest.approx(4 * 60.0 / 30.2)
    assert harness.steady_request_rate([1.0, 1.2], 15.0) is None and harness.steady_request_rate([], 15.0) is None


@pytest.mark.parametrize('end', [0.0, 4.9, 5.0, 12.4, 40.0, 300.0])
def test_implied_polls_follow_the_collections_schedule(end):
    # Walk the collection's own schedule without jitter and count the polls up to the one that sees the end.
    schedule = PollSchedule(5.0, 30.0, rand=lambda: 0.5)
    at, base, polls = 0.0, None, 1
    while at < end:
        base = schedule.next_base(base, False)
        at += schedule.jittered(base)
        polls += 1
    assert report.implied_polls(end) == polls
    assert report.implied_polls(end, shortest=0.8) >= polls


# Alone (scripts/test): it runs many playbooks at once itself, measures their CPU and time, and counts the polls
# the server saw against the schedule.
@pytest.mark.serial
def test_the_quick_suite_runs_and_writes_its_report(tmp_path, collections_path):
    out = tmp_path / 'docs'
    completed = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'benchmarks', 'run.py'), '--collections-path', collections_path,
         '--out', str(out), '--quick'], capture_output=True, text=True, timeout=600, check=False)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    text = (out / 'benchmarks.md').read_text()
    for heading in ('## Goals', '## 1. One task', '## 2. N tasks', '## 3. A rate-limited server', '## 4. Detection latency',
                    '## 5. The budget under pressure', '## 6. Jobs that share one FMC', '## 7. Events: the fmc_events source',
                    '## Profiling and fixes',
                    '## How it measures'):
        assert heading in text
    for plot in ('one_task.png', 'many_tasks.png', 'forks.png', 'latency.png', 'pressure.png'):
        assert (out / 'benchmarks' / plot).read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    results = json.loads((out / 'benchmarks' / 'results.json').read_text())
    wait, uri = results['one_task']['runs']['default']['wait'], results['one_task']['runs']['default']['uri']
    # Both contenders polled until the task ended, and the server's log shows the poll that saw it.
    assert wait['per_task'][0]['latency'] is not None and uri['per_task'][0]['latency'] is not None
    # Every task of every wait was seen ended, and none was polled more often than its schedule allows.
    for runs in results['many_tasks']['runs'].values():
        for contender, row in runs.items():
            if contender.startswith('wait'):
                assert all(task['latency'] is not None for task in row['per_task']), contender
                assert row['polls_over_schedule'] == 0, contender
    # Three jobs, the budget in each one's files and then in one Redis: each job saw every task of its own end.
    jobs = results['jobs']
    if 'skipped' in jobs:
        assert os.environ.get('CDFMC_REQUIRE_REDIS') != '1', jobs['skipped']
    else:
        for store in ('file', 'redis'):
            row = jobs['runs'][store]
            assert row['rc'] == [0, 0, 0] and row['seen'] == len(row['per_task']), store
            assert row['store_warnings'] == 0, store
        assert jobs['runs']['redis']['rate_limited'] == 0
    # The event source, run from the installed collection: each job's event came (one for the job, one for its device,
    # none twice), and with nothing changing it polled and put nothing.
    events = results['events']['runs']
    assert events['latency']['seen'] == results['events']['jobs'] and all(
        job['latency'] is not None for job in events['latency']['per_job'])
    assert events['latency']['events'] == 2 * results['events']['jobs'] and events['latency']['duplicates'] == 0
    for kinds in ('deployment', 'pending'):
        assert events[kinds]['events'] == 0 and events[kinds]['requests'] > 0 and events[kinds]['steady_rate'], kinds
    assert not any(run['warnings'] or run['rate_limited'] for run in events.values())
    assert all(run['ended'] for run in events.values())  # cancelled, each source ended (as cancelled) at once
    # Rewriting the report from results.json alone gives the same text.
    again = tmp_path / 'again'
    subprocess.run([sys.executable, os.path.join(ROOT, 'benchmarks', 'run.py'), '--from-results',
                    str(out / 'benchmarks' / 'results.json'), '--out', str(again)], check=True, capture_output=True)
    assert (again / 'benchmarks.md').read_text() == text
