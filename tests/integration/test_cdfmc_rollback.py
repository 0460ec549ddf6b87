# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""cisco.cdfmc.cdfmc_rollback and cdfmc_deploy's on_failure: rollback, installed from the tarball, run by
ansible-playbook against the simulator's fleet with a job history: devices that changed return to the configuration
before a failed deployment, a change is undone by its note on a device and an HA pair, every refusal sends
nothing, check mode names the jobs, a second rollback is ok, and server text cannot forge a log line.

The newest ansible-core only, to keep the suite short (the oldest runs the unit tests of the same code)."""

import json
import os
import re

import pytest

from ansible.release import __version__ as ANSIBLE_CORE

from conftest import TOKEN
from test_cdfmc_deploy import deploy

CORE = tuple(int(part) for part in re.findall(r'\d+', ANSIBLE_CORE)[:2])
pytestmark = pytest.mark.skipif(CORE < (2, 19), reason='rollback runs on the newest ansible-core leg only (2.19 or '
                                                       'later), not on %s' % ANSIBLE_CORE)

WAIT = {'poll_interval': 0.3, 'max_poll_interval': 0.6, 'timeout': 60}


def job_id(number):
    return '0050568B-9937-0ed3-0000-%012d' % number


def rollback_fleet(**extra):
    """fw-1, fw-2 with changes pending; fw-3 whose deployment fails; fw-x that cannot roll back; an HA pair; fw-new
    with no history. Two changes were deployed before: Deploy_Job_1 ("Change 1") and Deploy_Job_2 ("Change 2")."""
    scenario = {
        'deployment': {'step_seconds': 0.4, 'list_lag': 0.5},
        'devices': [
            {'id': 'dev-1', 'name': 'fw-1', 'pending': ['Branch-ACP']},
            {'id': 'dev-2', 'name': 'fw-2', 'pending': ['Branch-ACP']},
            {'id': 'dev-3', 'name': 'fw-3', 'pending': ['Branch-ACP'], 'outcome': 'failed',
             'message': "Interface GigabitEthernet0/2: nameif 'outside2' conflicts with an existing interface"},
            {'id': 'dev-8', 'name': 'fw-x', 'pending': ['Branch-ACP'], 'can_rollback': False},
            {'id': 'dev-4', 'name': 'fw-ha-a'}, {'id': 'dev-5', 'name': 'fw-ha-b'},
            {'id': 'dev-9', 'name': 'fw-new'},
        ],
        'ha_pairs': [{'id': 'ha-1', 'name': 'fw-ha', 'primary': 'dev-4', 'secondary': 'dev-5'}],
        'history': [{'units': ['dev-1', 'dev-2', 'dev-3', 'dev-8', 'ha-1'], 'note': 'Change 1'},
                    {'units': ['dev-1', 'dev-2', 'dev-3', 'dev-8', 'ha-1'], 'note': 'Change 2'}],
    }
    scenario.update(extra)
    return scenario


def rollback(run_playbook, tmp_path, check=False, diff=False, verbosity=0, **options):
    """Run rollback.yml; (the PlaybookResult, the registered result)."""
    result_dir = tmp_path / ('rollback-%d' % len(list(tmp_path.glob('rollback-*'))))
    result_dir.mkdir()
    played = run_playbook('rollback.yml', {'rollback_options': dict(WAIT, **options), 'result_dir': str(result_dir)},
                          check=check, diff=diff, verbosity=verbosity)
    with open(os.path.join(str(result_dir), 'localhost.json')) as handle:
        return played, json.load(handle)


def rollback_posts(simulator):
    return [r for r in simulator.requests() if r['path'].endswith('/deployment/rollbackrequests')]


def test_a_failed_deployment_returns_the_devices_that_changed_and_names_all_three_outcomes(
        simulator, run_playbook, tmp_path):
    simulator.load(rollback_fleet())
    _played, results = deploy(run_playbook, tmp_path, ['fw-1', 'fw-2', 'fw-3', 'fw-x'], note='Change 3',
                              on_failure='rollback', **WAIT)
    result = results['localhost']['deployed']
    assert result['failed'] and result['changed'], result
    by_name = dict((device['name'], device) for device in result['deployed'])
    assert [by_name[name]['state'] for name in ('fw-1', 'fw-2', 'fw-3', 'fw-x')] == [
        'succeeded', 'succeeded', 'failed', 'succeeded']
    for name in ('fw-1', 'fw-2'):
        rolled = by_name[name]['rollback']
        assert (rolled['state'], rolled['job']['id'], rolled['job']['name'], rolled['job']['note']) == (
            'succeeded', job_id(2), 'Deploy_Job_2', 'Change 2'), rolled
    assert by_name['fw-3']['rollback'] is None  # it failed: left as FMC left it
    assert by_name['fw-x']['rollback']['job'] is None and by_name['fw-x']['rollback']['state'] == 'failed'
    assert 'canRollback: false' in by_name['fw-x']['rollback']['message']
    (post,) = rollback_posts(simulator)
    assert post['status'] == 202 and post['body'] == {'type': 'RollbackRequest', 'rollbackDeviceList': [
        {'deploymentJobId': job_id(2), 'deviceList': ['dev-1', 'dev-2']}]}
    message = result['msg']
    assert "fw-3" in message and "nameif 'outside2' conflicts" in message
    assert 'rolled back fw-1, fw-2 to the configuration before this deployment' in message
    assert 'could not roll back fw-x' in message


def test_before_note_undoes_a_change_on_a_device_and_an_ha_pair_and_a_second_run_is_ok(
        simulator, run_playbook, tmp_path):
    simulator.load(rollback_fleet())
    played, result = rollback(run_playbook, tmp_path, devices=['fw-1', 'fw-ha-b'], before_note='Change 2')
    assert result['changed'] and not result.get('failed'), result
    assert [(r['name'], r['type'], r['job']['id'], r['job']['note'], r['state']) for r in result['rolled_back']] == [
        ('fw-1', 'Device', job_id(1), 'Change 1', 'succeeded'), ('fw-ha', 'DeviceHAPair', job_id(1), 'Change 1',
                                                                 'succeeded')]
    assert result['task']['task_type'] == 'DEVICE_ROLLBACK' and result['unchanged'] == []
    (post,) = rollback_posts(simulator)
    assert post['body']['rollbackDeviceList'] == [{'deploymentJobId': job_id(1), 'deviceList': ['dev-1', 'dev-4',
                                                                                                'dev-5']}]
    assert 'out of date' in result['msg'] and 'cdfmc_deploy' in result['msg']
    assert 'fw-ha-b is a member of HA pair fw-ha: it is rolled back with it' in played.output
    # FMC allows another rollback only after a deployment: the same task again is ok and sends nothing.
    played, again = rollback(run_playbook, tmp_path, devices=['fw-1', 'fw-ha'], before_note='Change 2')
    assert not again['changed'] and not again.get('failed') and again['rolled_back'] == [], again
    assert [(u['name'], u['job']['name']) for u in again['unchanged']] == [('fw-1', 'Deploy_Job_3'),
                                                                           ('fw-ha', 'Deploy_Job_3')]
    assert len(rollback_posts(simulator)) == 1 and 'ok: [localhost]' in played.stdout


@pytest.mark.parametrize('options, scenario, reason', [
    ({'devices': ['fw-x']}, {}, 'fw-x: FMC does not offer job Deploy_Job_1'),
    ({'devices': ['fw-new']}, {}, "fw-new: no job in FMC's job history succeeded on it"),
    ({'devices': ['fw-1'], 'job_id': job_id(2)}, {}, 'fw-1: job Deploy_Job_2 ("Change 2") is its current'),
    ({'devices': ['fw-1'], 'note': 'Change 9'}, {}, "fw-1: no deployment job with the note 'Change 9' deployed"),
    ({'devices': ['fw-1', 'fw-2']}, {'deploying': [{'units': ['dev-2'], 'seconds': 30}]}, 'fw-2: it is deploying'),
    ({'devices': 'all'}, {}, 'devices: a rollback names its devices; "all" is not accepted'),
    ({'devices': ['fw-1'], 'job_id': 'x', 'before_note': 'y'}, {}, 'job_id and before_note are mutually exclusive'),
])
def test_every_refusal_says_why_and_sends_nothing(simulator, run_playbook, tmp_path, options, scenario, reason):
    simulator.load(rollback_fleet(**scenario))
    _played, result = rollback(run_playbook, tmp_path, **options)
    assert result['failed'] and not result['changed'], result
    assert reason.replace('"', "'") in result['msg'].replace('"', "'"), result['msg']
    assert rollback_posts(simulator) == []


def test_check_mode_names_the_target_jobs_and_sends_nothing(simulator, run_playbook, tmp_path):
    simulator.load(rollback_fleet())
    played, result = rollback(run_playbook, tmp_path, check=True, diff=True, devices=['fw-1', 'fw-ha'],
                              note='Change 1')
    assert result['changed'] and not result.get('failed'), result
    assert result['msg'] == ("check mode: would roll back fw-1 to job Deploy_Job_1 ('Change 1'); fw-ha to job "
                             "Deploy_Job_1 ('Change 1')")
    assert [r['state'] for r in result['rolled_back']] == ['pending', 'pending']
    assert rollback_posts(simulator) == []
    assert 'fw-1 (current: job Deploy_Job_2)' in played.stdout and 'note: Change 1' in played.stdout


def test_a_rollback_answer_without_a_task_is_followed_in_job_history_and_a_failure_is_named(
        simulator, run_playbook, tmp_path):
    scenario = rollback_fleet(rollback={'task': False})
    scenario['devices'][1].update(rollback_outcome='failed', rollback_message='Rollback failed: device unreachable')
    simulator.load(scenario)
    _played, result = rollback(run_playbook, tmp_path, devices=['fw-1', 'fw-2'])
    assert result['failed'] and result['changed'] and result['task'] is None, result
    assert [(r['name'], r['state'], r['job']['id']) for r in result['rolled_back']] == [
        ('fw-1', 'succeeded', job_id(1)), ('fw-2', 'failed', job_id(1))]
    assert 'the rollback of fw-2 did not succeed' in result['msg'] and 'rolled back fw-1 to job Deploy_Job_1' in \
        result['msg']


def test_server_text_in_job_notes_cannot_forge_log_lines(simulator, run_playbook, tmp_path):
    forged = 'Change 1\n\x1b[31mfatal: [localhost]: FAILED! => {"msg": "forged"}'
    scenario = rollback_fleet()
    scenario['history'][0]['note'] = forged
    simulator.load(scenario)
    for check in (True, False):  # the diff, and the real run's progress lines and msg
        played, result = rollback(run_playbook, tmp_path, check=check, diff=check, devices=['fw-1'], verbosity=3)
        assert result['rolled_back'][0]['job']['note'] == forged  # the data as FMC gave it
        assert not any(line.startswith('fatal: [localhost]: FAILED! => {"msg": "forged"}')
                       for line in played.output.splitlines())
        assert '\x1b' not in played.output and '\\x1b[31m' in played.output
        assert TOKEN not in played.output  # at -vvv too
    assert "cdfmc_rollback: rolling back fw-1 to job Deploy_Job_1 ('Change 1\\n\\x1b[31mfatal" in played.output


def test_an_fmc_without_rollback_says_so(simulator, run_playbook, tmp_path):
    simulator.load(rollback_fleet(job_history=False))
    _played, result = rollback(run_playbook, tmp_path, devices=['fw-1'])
    assert result['failed'] and 'has no configuration rollback (it needs FMC 6.7 or later, or cdFMC)' in result['msg']
    assert rollback_posts(simulator) == []


def test_deploy_refuses_a_rollback_on_failure_it_could_not_keep_before_sending_anything(
        simulator, run_playbook, tmp_path):
    simulator.load(rollback_fleet(job_history=False))
    _played, results = deploy(run_playbook, tmp_path, ['fw-1'], on_failure='rollback', **WAIT)
    result = results['localhost']['deployed']
    assert result['failed'] and 'has no deployment job history, so no rollback' in result['msg'], result
    _played, results = deploy(run_playbook, tmp_path, ['fw-1'], on_failure='rollback', interrupt_traffic=False, **WAIT)
    assert 'contradictory' in results['localhost']['deployed']['msg']
    assert not [r for r in simulator.requests() if r['path'].endswith(('/deploymentrequests', '/rollbackrequests'))]


def test_before_job_id_undoes_a_failed_deployment_that_ended_earlier_and_leaves_the_device_it_did_not_change(
        simulator, run_playbook, tmp_path):
    simulator.load(rollback_fleet())
    _played, results = deploy(run_playbook, tmp_path, ['fw-1', 'fw-2', 'fw-3'], note='Change 3', **WAIT)
    assert results['localhost']['deployed']['failed'], results
    _played, result = rollback(run_playbook, tmp_path, devices=['fw-1', 'fw-2', 'fw-3'], before_job_id=job_id(3))
    assert result['changed'] and not result.get('failed'), result
    assert [(r['name'], r['job']['id'], r['state']) for r in result['rolled_back']] == [
        ('fw-1', job_id(2), 'succeeded'), ('fw-2', job_id(2), 'succeeded')]
    assert [(u['name'], u['job']['id']) for u in result['unchanged']] == [('fw-3', job_id(2))]
    assert 'fw-3 left as it is: job Deploy_Job_3' in result['msg'] and 'nothing to undo' in result['msg']
    (post,) = rollback_posts(simulator)
    assert post['body']['rollbackDeviceList'] == [{'deploymentJobId': job_id(2), 'deviceList': ['dev-1', 'dev-2']}]


def test_before_job_id_from_a_late_event_keeps_a_device_deployed_again_since(simulator, run_playbook, tmp_path):
    # Change 3 (job 3) failed on fw-3 and changed fw-1 and fw-2; Change 4 (job 4) was deployed to fw-1 since. Undoing
    # job 3 now (a late event) rolls back fw-2 only: fw-1 keeps Change 4.
    scenario = rollback_fleet()
    scenario['history'] += [{'units': ['dev-1', 'dev-2', 'dev-3'], 'note': 'Change 3', 'outcomes': {'dev-3': 'failed'}},
                            {'units': ['dev-1'], 'note': 'Change 4'}]
    simulator.load(scenario)
    _played, result = rollback(run_playbook, tmp_path, devices=['fw-1', 'fw-2', 'fw-3'], before_job_id=job_id(3))
    assert result['changed'] and not result.get('failed'), result
    assert [(r['name'], r['job']['id'], r['state']) for r in result['rolled_back']] == [('fw-2', job_id(2), 'succeeded')]
    assert [(u['name'], u['job']['id']) for u in result['unchanged']] == [('fw-1', job_id(4)), ('fw-3', job_id(2))]
    assert result['unchanged'][0]['message'] == ("deployed again since job Deploy_Job_3 ('Change 3') (job Deploy_Job_4 "
                                                 "('Change 4')): not rolled back, so that the later deployment is kept")
    assert 'fw-1 left as it is: deployed again since job Deploy_Job_3' in result['msg']
    (post,) = rollback_posts(simulator)
    assert post['body']['rollbackDeviceList'] == [{'deploymentJobId': job_id(2), 'deviceList': ['dev-2']}]
