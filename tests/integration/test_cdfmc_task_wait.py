# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""cisco.cdfmc.cdfmc_task_wait, installed from its tarball, run by ansible-playbook against the simulator."""

import json
import os
import signal
import subprocess
import time

import pytest

from conftest import TOKEN

GLOBAL = 'e276abec-e0f2-11e3-8169-6d9ed49b625f'
FAST = {'poll_interval': 0.2, 'max_poll_interval': 0.5}


def task(task_id, end, final='Deployed', start='Deploying', devices=()):
    return {'id': task_id, 'task_type': 'DEVICE_DEPLOYMENT', 'starts': 'first_request',
            'timeline': [{'at': 0, 'status': start}, {'at': end, 'status': final, 'message': 'done: %s' % final}],
            'sub_tasks': [{'target': {'id': device_id, 'name': name},
                           'timeline': [{'at': 0, 'status': 'PENDING'}, {'at': end, 'status': status, 'message': why}]}
                          for device_id, name, status, why in devices]}


def status_requests(simulator):
    return [r for r in simulator.requests() if '/job/taskstatuses/' in r['path']]


def test_one_task(simulator, wait_on):
    simulator.load({'tasks': [task('t1', 1.0, devices=[('d1', 'ftd-1', 'SUCCESS', 'ok')])]})
    waited = wait_on('t1', **FAST)
    played, result = waited.played, waited.result
    assert not result.get('failed') and result['all_succeeded'] and not result['timed_out']
    (facts,) = result['tasks']
    assert facts['id'] == 't1' and facts['state'] == 'succeeded' and facts['status'] == 'Deployed'
    assert facts['sub_tasks'][0]['target_name'] == 'ftd-1' and facts['polls'] >= 2 and facts['error'] is None
    assert result['summary'] == {'total': 1, 'succeeded': 1, 'failed': 0, 'cancelled': 0, 'unfinished': 0, 'errors': 0}
    assert result['requests'] == facts['polls'] == len(status_requests(simulator))
    # One progress line per state change at the default verbosity.
    assert 'task t1 DEVICE_DEPLOYMENT: (none) -> Deploying (running), devices 0/1 done' in played.stdout
    assert 'task t1 DEVICE_DEPLOYMENT: Deploying -> Deployed (succeeded), devices 1/1 done' in played.stdout
    assert 'poll 1:' not in played.stdout


# Alone (scripts/test): each task's last poll must come within one poll gap and 1.5 s of its end.
@pytest.mark.serial
def test_twenty_tasks_ending_at_staggered_times(simulator, wait_on):
    ends = [1.0 + 0.25 * index for index in range(20)]
    simulator.load({'tasks': [task('t%02d' % index, end) for index, end in enumerate(ends)]})
    ids = ['t%02d' % index for index in reversed(range(20))]
    # About 150 requests in 6 s: the simulator has no rate limit here, so neither has the wait.
    result = wait_on(ids, poll_interval=0.5, max_poll_interval=1, timeout=120, max_requests_per_minute=2000).result
    assert result['all_succeeded'] and [t['id'] for t in result['tasks']] == ids
    assert all(t['state'] == 'succeeded' for t in result['tasks'])
    # In the simulator's time (each task's clock starts at its first poll): each task was polled for the
    # last time within one poll gap (at most 1 s + 20% jitter, plus slack for a loaded machine) of its
    # end, and never after that; the wait ended right after the last task.
    log = status_requests(simulator)
    first = min(r['time'] for r in log)
    last_end = 0
    for index, end in enumerate(ends):
        seen = [r['time'] for r in log if r['path'].endswith('/t%02d' % index)]
        since_start = [at - seen[0] for at in seen]
        assert since_start[-1] >= end and since_start[-1] - end <= 1.2 + 1.5, (index, end, since_start)
        assert all(at < end for at in since_start[:-1])
        last_end = max(last_end, seen[0] + end)
    assert max(r['time'] for r in log) - last_end <= 1.2 + 1.5 and first <= last_end


def test_a_failing_device_fails_the_wait_and_is_named(simulator, run_playbook, tmp_path):
    simulator.load({'devices': [{'id': 'd1', 'name': 'ftd-1'},
                                {'id': 'd2', 'name': 'ftd-2', 'outcome': 'failed', 'message': 'Interface outside2 missing'}],
                    'deployment': {'step_seconds': 0.5}})
    played = run_playbook('chained.yml', expect_rc=None, extra_vars={'device_groups': [['d1', 'd2']]})
    assert played.rc == 2
    assert 'failed: Deployment failed on 1 device(s); device ftd-2 failed: Interface outside2 missing' in played.stdout


def test_timeout_reports_partial_facts(simulator, wait_on):
    simulator.load({'tasks': [task('done', 0.5), task('stuck', 999, devices=[('d1', 'ftd-1', 'SUCCESS', '')])]})
    result = wait_on(['stuck', 'done'], timeout=3, **FAST).result
    assert result['failed'] and result['timed_out'] and not result['all_succeeded']
    stuck, done = result['tasks']
    assert stuck['status'] == 'Deploying' and stuck['state'] == 'running' and stuck['sub_tasks'][0]['status'] == 'PENDING'
    assert done['state'] == 'succeeded'
    assert 'timed out after 3s with 1 task(s) unfinished: stuck (running)' in result['msg']
    assert 2.5 <= result['elapsed'] < 6


def test_until_query_ends_the_wait_early(simulator, wait_on):
    simulator.load({'tasks': [{'id': 'reg', 'task_type': 'DEVICE_REGISTRATION', 'timeline': [
        {'at': 0, 'status': 'Pending'}, {'at': 1, 'status': 'Running'}, {'at': 300, 'status': 'Success'}]}]})
    result = wait_on('reg', until_query="state == 'running'", timeout=60, **FAST).result
    assert not result.get('failed') and result['elapsed'] < 10
    assert result['tasks'][0]['state'] == 'running' and result['summary']['unfinished'] == 1


def test_fail_fast_returns_at_the_first_failure(simulator, wait_on):
    simulator.load({'tasks': [task('bad', 1.0, final='Failed'), task('slow', 300)]})
    result = wait_on(['slow', 'bad'], fail_fast=True, timeout=120, **FAST).result
    assert result['failed'] and result['elapsed'] < 10
    assert [t['state'] for t in result['tasks']] == ['running', 'failed']
    assert 'stopped at the first failure (fail_fast)' in result['msg']


def test_fail_on_failure_false_reports_without_failing(simulator, wait_on):
    simulator.load({'tasks': [task('bad', 0.5, final='Failed'), task('good', 0.5)]})
    result = wait_on(['bad', 'good'], fail_on_failure=False, **FAST).result
    assert not result.get('failed') and not result['all_succeeded'] and result['summary']['failed'] == 1


@pytest.mark.parametrize('fault', [
    {'status': 503}, {'status': 500, 'retry_after': 1}, {'action': 'drop'}, {'status': 429, 'retry_after': 1},
    {'status': 429}, {'action': 'html', 'status': 502},
])
def test_faults_mid_wait_are_ridden_through(simulator, wait_on, fault):
    simulator.load({'tasks': [task('t1', 2.0)], 'faults': [dict(fault, match={'path': '/t1'}, times=3)]})
    result = wait_on('t1', **FAST).result
    assert not result.get('failed') and result['all_succeeded'] and result['tasks'][0]['error'] is None
    log = status_requests(simulator)
    assert sum(1 for r in log if r['status'] != 200) == 3 and result['requests'] == len(log)


def test_retries_running_out_keep_polling_then_report(simulator, wait_on):
    simulator.load({'tasks': [task('t1', 0.5)], 'faults': [{'match': {'path': '/t1'}, 'status': 502, 'times': None}]})
    result = wait_on('t1', timeout=4, max_retries=1, **FAST).result
    assert result['failed'] and result['timed_out']
    assert 'HTTP 502' in result['tasks'][0]['error'] and result['tasks'][0]['polls'] >= 2


@pytest.mark.parametrize('token,task_id,expected', [('wrong-token', 't1', 'HTTP 401'), (TOKEN, 'nope', 'HTTP 404')])
def test_refusals_end_the_task_with_an_error(simulator, wait_on, token, task_id, expected):
    simulator.load({'tasks': [task('t1', 0.5)]})
    result = wait_on(task_id, api_token=token, not_found_grace=0, **FAST).result
    assert result['failed'] and expected in result['tasks'][0]['error'] and result['tasks'][0]['polls'] == 1
    assert 'wrong-token' not in json.dumps(result)


def test_bad_input_is_refused_before_any_request(simulator, wait_on):
    for ids, options, message in [
        (['ok', '../x'], {}, 'task_ids: task_ids[1]: task id'),
        ([{'changed': True}], {}, 'no task id in task_ids[0]'),
        ([{'changed': False}], {}, 'no task id in task_ids[0]'),  # skipped in check mode only
        ([], {}, 'task_ids is empty'),
        ('t1', {'until_query': 'state =='}, 'until_query is not a valid JMESPath'),
        ('t1', {'poll_interval': 10, 'max_poll_interval': 5}, 'max_poll_interval'),
        ('t1', {'timeout': -1}, 'timeout'),
        ('t1', {'status_map': {'X': 'done'}}, 'status_map'),
    ]:
        result = wait_on(ids, **options).result
        assert result['failed'] and message in result['msg'], (ids, options, result['msg'])
    assert simulator.requests() == []


def test_chained_looped_and_skipped_results(simulator, run_playbook):
    simulator.load({'devices': [{'id': 'd%d' % n, 'name': 'ftd-%d' % n} for n in (1, 2, 3)],
                    'deployment': {'step_seconds': 0.5}})
    run_playbook('chained.yml', extra_vars={'device_groups': [['d1', 'd2'], ['d3']]})


# Alone (scripts/test): ten forks at once load the machine, and the requests are counted per 5 s window.
@pytest.mark.serial
def test_ten_forks_share_a_smooth_budget_without_429(simulator, wait_on):
    # 10 hosts poll 3 tasks each, fast: unpaced they would send about 150 requests in the first 5 s.
    simulator.load({'tasks': [task('t%d' % n, 5) for n in range(3)], 'rate_limit': {'requests_per_minute': 120}})
    ids = ['t%d' % n for n in range(3)]
    results = wait_on(ids, hosts=10, poll_interval=0.2, max_poll_interval=0.3, timeout=180,
                      max_requests_per_minute=100).results
    assert len(results) == 10 and all(r['all_succeeded'] for r in results.values())
    log = simulator.requests()
    assert [r for r in log if r['status'] == 429] == []
    times = sorted(r['time'] for r in log)
    # Never more than the budget in any 60 s, and spread rather than burst: a burst of 5, then one request
    # every 61 / 95 s (0.64 s), so about 13 at most in any 5 s (plus slack for a loaded machine).
    assert max(sum(1 for t in times if start <= t < start + 60) for start in times) <= 100
    assert max(sum(1 for t in times if start <= t < start + 5) for start in times) <= 16
    assert len(times) >= 30  # every host's first checks: the budget was needed, and it held


def test_module_defaults_check_mode(simulator, run_playbook):
    simulator.load({'tasks': [task('task-1', 0.3)]})
    run_playbook('wait_check_mode.yml', check=True)


def test_per_poll_detail_at_vvv_and_no_secret_at_vvvv(simulator, wait_on, tmp_path):
    simulator.load({'tasks': [task('t1', 1.0)]})
    log_file = tmp_path / 'ansible.log'
    waited = wait_on('t1', verbosity=4, env={'ANSIBLE_LOG_PATH': str(log_file)}, **FAST)
    played, result = waited.played, waited.result
    assert result['all_succeeded']
    assert 'cdfmc_task_wait: task t1 poll 1: Deploying (running)' in played.stdout
    if 'invocation' in result:  # ansible-core 2.16 leaves it out of registered results
        assert result['invocation']['module_args']['api_token'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    for text in (played.output, log_file.read_text(), json.dumps(result)):
        assert TOKEN not in text


# Alone (scripts/test): the last poll must come within a second of the signal.
@pytest.mark.serial
@pytest.mark.parametrize('signum', [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_run_stops_at_once(simulator, run_playbook, tmp_path, signum):
    simulator.load({'tasks': [task('forever', 99999)]})
    # Frequent polls: a wait that went on after the signal would show in the simulator's log at once.
    process = run_playbook('wait.yml', {'ids': 'forever', 'result_dir': str(tmp_path),
                                        'wait_options': {'poll_interval': 0.2, 'max_poll_interval': 0.2,
                                                         'timeout': 600}},
                           env={'PYTHONFAULTHANDLER': '1'}, popen=True)
    try:
        deadline = time.monotonic() + 60
        while len(status_requests(simulator)) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(status_requests(simulator)) >= 3, 'the wait never polled'
        sent = time.monotonic()
        os.killpg(process.pid, signum)
        # Read the output while waiting: a run blocked on a full pipe would look like one that does not stop.
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            # SIGABRT makes faulthandler print every thread's stack in every process of the run.
            os.killpg(process.pid, signal.SIGABRT)
            try:
                stdout, stderr = process.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                stdout, stderr = process.communicate()
            raise AssertionError('ansible-playbook went on 30 s after the signal:\n%s\n%s' % (stdout[-3000:], stderr[-20000:]))
        exited = time.monotonic() - sent
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    time.sleep(1.5)
    # The simulator's clock is this host's monotonic clock: polling stopped within a second of the signal.
    last_poll = max(r['time'] for r in status_requests(simulator))
    assert last_poll - sent < 1.0
    assert exited < 5  # ansible-playbook itself exits soon after (a loose bound for a loaded machine)


def test_a_long_poll_interval_alone_is_accepted(simulator, wait_on):
    simulator.load({'tasks': [task('t1', 99)]})
    result = wait_on('t1', poll_interval=60, timeout=1).result
    assert result['timed_out'] and 'max_poll_interval' not in result['msg'] and result['tasks'][0]['polls'] == 1


def test_a_registration_that_says_running_and_registration_failed_fails_at_once_with_that_word(simulator, wait_on):
    # Cisco's FTDv automation decides on the message; FMC then discards the task (here after 3 s).
    simulator.load({'tasks': [{'id': 'reg-1', 'task_type': 'DEVICE_REGISTRATION', 'starts': 'first_request',
                               'deleted_at': 3, 'timeline': [{'at': 0, 'status': 'RUNNING',
                                                              'message': 'REGISTRATION_FAILED'}]}]})
    waited = wait_on('reg-1', poll_interval=0.2, max_poll_interval=0.5, timeout=30)
    result = waited.result
    assert result['failed'] and not result['timed_out'] and result['summary']['failed'] == 1, result
    (facts,) = result['tasks']
    assert facts['state'] == 'failed' and facts['terminal'] and facts['polls'] == 1
    assert 'REGISTRATION_FAILED' in result['msg'] and 'disappeared' not in result['msg']


def test_an_fmc_that_refuses_task_parameters_is_read_without_them(simulator, wait_on):
    simulator.load({'task_query_parameters': False,
                    'tasks': [task('t1', 0.5, devices=[('d1', 'ftd-1', 'SUCCESS', 'ok')])]})
    result = wait_on('t1', **FAST).result
    assert result['all_succeeded'] and not result.get('failed'), result
    queries = [r['query'] for r in status_requests(simulator)]
    assert queries[0] == {'showDetailedDeviceStatus': ['true']} and all(query == {} for query in queries[1:])
    assert [w for w in result['warnings'] if 'refused showDetailedDeviceStatus' in w]
