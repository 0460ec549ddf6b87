# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the real FMC and cdFMC do that our first model did not (FMC-FACTS.md), through ansible-playbook: a task
not visible yet, a task that disappears, a wrong domain, status families, partial success, registration outcomes
in the message, spurious 401s and busy 400s, and a check-mode chain after a deployment module that sent nothing."""

import json

import pytest

GLOBAL = 'e276abec-e0f2-11e3-8169-6d9ed49b625f'
FAST = {'poll_interval': 0.2, 'max_poll_interval': 0.5}


def task(task_id, end, final='Deployed', **extra):
    return dict({'id': task_id, 'task_type': 'DEVICE_DEPLOYMENT', 'starts': 'first_request',
                 'timeline': [{'at': 0, 'status': 'Deploying'}, {'at': end, 'status': final}]}, **extra)


def reads_of(simulator, task_id):
    return [r for r in simulator.requests() if r['path'].endswith('/job/taskstatuses/%s' % task_id)]


def test_a_deployment_waited_on_at_once_rides_through_its_first_404s(simulator, run_playbook, tmp_path):
    simulator.load({'devices': [{'id': 'd1', 'name': 'ftd-1'}, {'id': 'd2', 'name': 'ftd-2'}],
                    'deployment': {'step_seconds': 0.5, 'hidden_seconds': 2.5}})
    played = run_playbook('deploy_then_wait.yml', {'device_ids': ['d1', 'd2'], 'result_dir': str(tmp_path)})
    result = json.loads((tmp_path / 'waited.json').read_text())
    assert result['all_succeeded'] and result['tasks'][0]['error'] is None
    assert [sub['target_name'] for sub in result['tasks'][0]['sub_tasks']] == ['ftd-1', 'ftd-2']
    task_id = result['tasks'][0]['id']
    statuses = [r['status'] for r in reads_of(simulator, task_id)]
    assert statuses[0] == 404 and statuses[-1] == 200 and statuses.count(404) >= 2
    # One line while the task was not visible, then one per change; the POST is reported as a change.
    assert played.stdout.count('task %s: not visible yet (404), grace ends in' % task_id) == 1
    assert 'changed: [localhost]' in played.stdout


# Alone (scripts/test): the last poll must come between 2.9 and 3.6 s after the first.
@pytest.mark.serial
def test_a_mistyped_id_fails_when_the_grace_ends_with_a_poll_at_its_end(simulator, wait_on):
    simulator.load({'tasks': [task('t1', 0.5)]})
    result = wait_on(['t1', 'typo'], not_found_grace=3, poll_interval=1.3, max_poll_interval=2.5).result
    good, typo = result['tasks']
    assert result['failed'] and not result['timed_out'] and good['state'] == 'succeeded'
    assert typo['state'] == 'unknown' and typo['polls'] >= 2
    assert ('task typo was not found (HTTP 404) from the start of the wait to the end of not_found_grace (3 s)'
            in typo['error']) and 'Task typo not found.' in typo['error']
    assert 'task typo: task typo was not found (HTTP 404)' in result['msg']
    times = [r['time'] for r in reads_of(simulator, 'typo')]
    # The last poll came at the end of the grace (from the first poll, which came at the wait's start).
    assert 2.9 <= times[-1] - times[0] <= 3.6, times


@pytest.mark.parametrize('timeout', [0, 2])
def test_a_timeout_within_the_grace_names_the_404(simulator, wait_on, timeout):
    simulator.load({'tasks': [task('t1', 999)]})
    result = wait_on(['typo', 't1'], timeout=timeout, **FAST).result
    assert result['failed'] and result['timed_out']
    assert ('timed out after %ds with 2 task(s) unfinished: typo (not visible yet: HTTP 404 since the start), '
            't1 (running)' % timeout) in result['msg']
    assert result['tasks'][0]['error'].startswith('not visible yet (404), grace ends in ')


def test_without_a_grace_404_ends_the_task_at_once(simulator, wait_on):
    simulator.load({})
    result = wait_on('typo', not_found_grace=0, **FAST).result
    assert result['failed'] and result['tasks'][0]['polls'] == 1 and 'HTTP 404' in result['tasks'][0]['error']
    assert 'not_found_grace' not in result['tasks'][0]['error']


def test_a_task_that_disappears_fails_at_once(simulator, wait_on):
    simulator.load({'tasks': [task('reg', 999, deleted_at=1.0)]})
    result = wait_on('reg', timeout=60, **FAST).result
    facts = result['tasks'][0]
    assert result['failed'] and not result['timed_out'] and result['elapsed'] < 10
    assert facts['status'] == 'Deploying' and facts['error'].startswith('task reg disappeared: it answered before')
    assert reads_of(simulator, 'reg')[-1]['status'] == 404


def test_a_wrong_on_prem_domain_is_caught_before_any_task_is_read(simulator, wait_on):
    simulator.load({'auth': {'mode': 'fmc', 'username': 'apiuser', 'password': 'Pw-123456'},
                    'domains': [{'name': 'Global', 'uuid': GLOBAL}], 'tasks': [task('t1', 0.5)]})
    result = wait_on('t1', api_token=None, username='apiuser', password='Pw-123456', base_url=simulator.url,
                     domain_uuid='00000000-0000-4000-8000-000000000000', **FAST).result
    assert result['failed'] and 'tasks' not in result
    assert ('domain_uuid 00000000-0000-4000-8000-000000000000 is not one of the domains that apiuser on %s may '
            'use: Global (%s)' % (simulator.url, GLOBAL)) in result['msg']
    assert [r['path'] for r in simulator.requests()] == ['/api/fmc_platform/v1/auth/generatetoken']


def test_a_cdfmc_domain_other_than_global_is_warned_about(simulator, wait_on):
    simulator.load({'tasks': [task('t1', 0.5)]})
    waited = wait_on('t1', domain_uuid='00000000-0000-4000-8000-000000000000', not_found_grace=0, **FAST)
    assert waited.result['failed']
    assert any('is not the Global domain of a cdFMC' in warning for warning in waited.result['warnings'])
    # ansible-core 2.16 wraps warnings over lines.
    assert '[WARNING]: domain_uuid 00000000-0000-4000-8000-000000000000 is not the Global domain' \
        in ' '.join(waited.played.output.split())


def test_partial_success_fails_and_says_so(simulator, wait_on):
    simulator.load({'tasks': [{
        'id': 'dep', 'task_type': 'DEVICE_DEPLOYMENT', 'starts': 'first_request',
        'timeline': [{'at': 0, 'status': 'DEPLOYING'},
                     {'at': 0.5, 'status': 'PARTIALLY_SUCCEEDED', 'message': 'Deployment partially succeeded'}],
        'sub_tasks': [
            {'target': {'id': 'd1', 'name': 'ftd-1'}, 'timeline': [{'at': 0, 'status': 'SSP_SUCCEEDED'}]},
            {'target': {'id': 'd2', 'name': 'ftd-2'},
             'timeline': [{'at': 0, 'status': 'PENDING'},
                          {'at': 0.5, 'status': 'PRIMARY_BOOTSTRAP_PARTIALLY_SUCCEEDED', 'message': 'standby skipped'}]},
            {'target': {'id': 'd3', 'name': 'ftd-3'}, 'timeline': [{'at': 0, 'status': 'BREAK_FAILED',
                                                                    'message': 'break failed'}]}]}]})
    waited = wait_on('dep', **FAST)
    result = waited.result
    facts = result['tasks'][0]
    assert result['failed'] and facts['state'] == 'failed' and facts['terminal']
    assert facts['message'] == 'Deployment partially succeeded'
    assert [sub['state'] for sub in facts['sub_tasks']] == ['succeeded', 'failed', 'failed']
    assert facts['failed_targets'] == ['ftd-2', 'ftd-3']
    assert ('task dep (DEVICE_DEPLOYMENT) failed (partially succeeded): Deployment partially succeeded; '
            'device ftd-2 partially succeeded: standby skipped; device ftd-3 failed: break failed') in result['msg']
    assert 'DEPLOYING -> PARTIALLY_SUCCEEDED (failed (partially succeeded)), devices 3/3 done' in waited.played.stdout
    assert 'is not known' not in waited.played.output


def test_a_registration_outcome_is_read_from_the_message(simulator, wait_on):
    simulator.load({'tasks': [
        {'id': 'ok', 'raw': {'id': 'ok', 'type': 'TaskStatus', 'taskType': 'DEVICE_REGISTRATION',
                             'message': 'DEVICE_SUCCESSFULLY_REGISTERED'}},
        {'id': 'bad', 'raw': {'id': 'bad', 'type': 'TaskStatus', 'taskType': 'DEVICE_REGISTRATION', 'status': 'Success',
                              'message': 'REGISTRATION_FAILED'}},
    ]})
    result = wait_on(['ok', 'bad'], **FAST).result
    ok, bad = result['tasks']
    assert ok['state'] == 'succeeded' and ok['status'] is None
    assert bad['state'] == 'failed' and bad['status'] == 'Success' and bad['message'] == 'REGISTRATION_FAILED'
    assert result['failed'] and 'task bad (DEVICE_REGISTRATION) failed: REGISTRATION_FAILED' in result['msg']


@pytest.mark.parametrize('fault', [
    {'status': 401, 'message': 'Unauthorized', 'times': 1},
    {'status': 400, 'message': 'Server is busy. Please try again.', 'times': 3},
    {'status': 400, 'message': 'Retry the operation after sometime', 'times': 3},
])
def test_a_spurious_401_and_a_busy_400_are_ridden_through(simulator, wait_on, fault):
    simulator.load({'tasks': [task('t1', 1.0)], 'faults': [dict(fault, match={'path': '/t1'})]})
    result = wait_on('t1', **FAST).result
    assert not result.get('failed') and result['all_succeeded'] and result['tasks'][0]['error'] is None
    assert sum(1 for r in reads_of(simulator, 't1') if r['status'] == fault['status']) == fault['times']


def test_a_wrong_token_still_fails_after_one_retry(simulator, wait_on):
    simulator.load({'tasks': [task('t1', 1.0)]})
    result = wait_on('t1', api_token='Wr0ng-T0ken-Value', **FAST).result
    assert result['failed'] and 'HTTP 401' in result['tasks'][0]['error'] and result['tasks'][0]['polls'] == 1
    assert [r['status'] for r in simulator.requests()] == [401, 401]
    assert 'Wr0ng-T0ken-Value' not in json.dumps(result)


def test_check_mode_after_a_deployment_module_that_sent_nothing(simulator, run_playbook, tmp_path):
    simulator.load({'tasks': [task('task-1', 0.3)]})
    run_playbook('check_mode_chain.yml', {'result_dir': str(tmp_path)}, check=True)
    result = json.loads((tmp_path / 'waited.json').read_text())
    assert result['skipped'] and not result.get('failed')
    (warning,) = result['warnings']
    assert warning.startswith('check mode: no task id in task_ids, which did not fail')
    assert simulator.requests() == []
    # Outside check mode the same play finds the task and waits on it.
    run_playbook('check_mode_chain.yml', {'result_dir': str(tmp_path)})
    result = json.loads((tmp_path / 'waited.json').read_text())
    assert result['all_succeeded'] and result['tasks'][0]['id'] == 'task-1'
