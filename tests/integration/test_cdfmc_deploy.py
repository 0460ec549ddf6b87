# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""cisco.cdfmc.cdfmc_deploy, installed from its tarball, run by ansible-playbook against the simulator's fleet:
standalone devices, an HA pair and a cluster, with pending changes, lags, refusals and other deployments."""

import json
import os
import time

import pytest

FAST = {'poll_interval': 0.3, 'max_poll_interval': 0.6, 'pending_grace': 1, 'settle_timeout': 10}


def fleet(**extra):
    """A fleet: ftd-1 and ftd-2 with changes pending, ftd-3 up to date, an HA pair and a cluster."""
    scenario = {
        'deployment': {'step_seconds': 0.4, 'list_lag': 1.0},
        'devices': [
            {'id': 'dev-1', 'name': 'ftd-1', 'pending': [{'policy': 'Branch-ACP', 'changes': [
                {'name': 'allow-web', 'type': 'AccessRule', 'action': 'ADD'}]}]},
            {'id': 'dev-2', 'name': 'ftd-2', 'pending': ['Branch-ACP', 'NAT-Branch'], 'traffic': 'YES'},
            {'id': 'dev-3', 'name': 'ftd-3'},
            {'id': 'dev-4', 'name': 'ftd-ha-a'}, {'id': 'dev-5', 'name': 'ftd-ha-b'},
            {'id': 'dev-6', 'name': 'ftd-c1'}, {'id': 'dev-7', 'name': 'ftd-c2'},
        ],
        'ha_pairs': [{'id': 'ha-1', 'name': 'ftd-ha', 'primary': 'dev-4', 'secondary': 'dev-5', 'pending': ['HA-ACP']}],
        'clusters': [{'id': 'cl-1', 'name': 'ftd-cluster', 'control': 'dev-6', 'data': ['dev-7']}],
    }
    for key, value in extra.items():
        if key == 'devices_extra':
            scenario['devices'].extend(value)
        else:
            scenario[key] = value
    return scenario


def deploy(run_playbook, tmp_path, devices, hosts=None, chain_wait=False, check=False, diff=False, verbosity=0,
           **options):
    """Run deploy.yml; (the PlaybookResult, each host's saved result)."""
    result_dir = tmp_path / ('results-%d' % len(list(tmp_path.glob('results-*'))))
    result_dir.mkdir()
    variables = {'deploy_options': dict(FAST, devices=devices, **options), 'result_dir': str(result_dir),
                 'chain_wait': chain_wait}
    played = run_playbook('deploy.yml', variables, hosts=hosts, check=check, diff=diff, verbosity=verbosity)
    results = {}
    for name in sorted(os.listdir(result_dir)):
        with open(result_dir / name) as handle:
            results[name[:-5]] = json.load(handle)
    return played, results


def posts(simulator):
    return [r for r in simulator.requests() if r['path'].endswith('/deployment/deploymentrequests')]


def test_named_devices_are_deployed_and_a_second_run_is_ok(simulator, run_playbook, tmp_path):
    simulator.load(fleet())
    played, results = deploy(run_playbook, tmp_path, ['ftd-1', 'ftd-3'], note='Change 42')
    result = results['localhost']['deployed']
    assert result['changed'] and not result.get('failed'), result
    (device,) = result['deployed']
    assert device['name'] == 'ftd-1' and device['id'] == 'dev-1' and device['state'] == 'succeeded'
    assert device['policies'] == ['Branch-ACP'] and device['traffic_interruption'] == 'NO'
    assert [d['name'] for d in result['up_to_date']] == ['ftd-3']
    assert result['task']['state'] == 'succeeded' and result['task']['sub_tasks'][0]['target_id'] == 'dev-1'
    assert 'changed: [localhost]' in played.stdout
    (post,) = posts(simulator)
    assert post['body'] == {'type': 'DeploymentRequest', 'version': device['version'], 'deviceList': ['dev-1'],
                            'forceDeploy': False, 'ignoreWarning': False, 'deploymentNote': 'Change 42'}
    # Idempotent: the list has caught up, so a second run right after finds nothing to do.
    played, results = deploy(run_playbook, tmp_path, ['ftd-1', 'ftd-3'])
    again = results['localhost']['deployed']
    assert not again['changed'] and again['deployed'] == [] and again['task'] is None
    assert sorted(d['name'] for d in again['up_to_date']) == ['ftd-1', 'ftd-3']
    assert 'nothing to deploy' in again['msg'] and len(posts(simulator)) == 1  # the first run's only


def names(devices):
    return sorted(device['name'] for device in devices)


def test_all_deploys_every_device_with_pending_changes(simulator, run_playbook, tmp_path):
    simulator.load(fleet())
    played, results = deploy(run_playbook, tmp_path, 'all', diff=True)
    result = results['localhost']['deployed']
    assert result['changed'] and not result.get('failed') and result['up_to_date'] == []
    assert names(result['deployed']) == ['ftd-1', 'ftd-2', 'ftd-ha']
    assert all(device['state'] == 'succeeded' for device in result['deployed'])
    (post,) = posts(simulator)
    assert post['status'] == 202
    # Diff mode reads what is pending before the request, while it is still pending.
    paths = [r['path'] for r in simulator.requests()]
    changes = [index for index, path in enumerate(paths) if path.endswith('/pendingchanges')]
    assert len(changes) == 3 and max(changes) < paths.index(post['path'])
    assert 'ADD AccessRule allow-web' in played.stdout


def test_the_request_carries_the_newest_version_and_force_deploys_what_is_not_pending(
        simulator, run_playbook, tmp_path):
    scenario = fleet()
    scenario['devices'][0]['pending'] = [{'policy': 'Branch-ACP', 'version': 1767261600100}]
    scenario['devices'][1]['pending'] = [{'policy': 'NAT-Branch', 'version': 1767261600900}]
    simulator.load(scenario)
    _played, results = deploy(run_playbook, tmp_path, ['ftd-1', 'ftd-2'])
    assert [d['version'] for d in results['localhost']['deployed']['deployed']] == ['1767261600100', '1767261600900']
    assert posts(simulator)[0]['body']['version'] == '1767261600900'
    before = int(time.time() * 1000)
    _played, results = deploy(run_playbook, tmp_path, ['ftd-3'], force=True, ignore_warnings=True)
    result = results['localhost']['deployed']
    assert result['changed'] and [d['name'] for d in result['deployed']] == ['ftd-3'] and result['up_to_date'] == []
    body = posts(simulator)[1]['body']
    assert body['forceDeploy'] is True and body['ignoreWarning'] is True and body['deviceList'] == ['dev-3']
    assert before <= int(body['version']) <= int(time.time() * 1000) and 'deploymentNote' not in body


def test_devices_by_id_and_an_ha_member_through_its_pair(simulator, run_playbook, tmp_path):
    simulator.load(fleet())
    played, results = deploy(run_playbook, tmp_path, ['dev-1', 'ftd-ha-b'])
    result = results['localhost']['deployed']
    assert result['changed'] and [d['id'] for d in result['deployed']] == ['dev-1', 'ha-1']
    assert result['deployed'][1]['type'] == 'DeviceHAPair' and result['deployed'][1]['policies'] == ['HA-ACP']
    assert any('device ftd-ha-b is a member of HA pair ftd-ha: it is deployed through it' in warning
               for warning in result['warnings'])
    assert 'is a member of HA pair ftd-ha' in ' '.join(played.output.split())


@pytest.mark.parametrize('devices,message,options', [
    (['ftd-1', 'ftd-nine'], 'devices: ftd-nine is not a managed device of https://127.0.0.1', {}),
    (['ftd-dup'], 'devices: these names match more than one device of https://127.0.0.1', {}),
    ([], 'devices must be "all" or a list of device names or ids', {}),
    (['all', 'ftd-1'], '"all" stands alone', {}),
    (['ftd-1'], 'settle_timeout must be 0 or a positive number of seconds, got -1', {'settle_timeout': -1}),
])
def test_unknown_and_ambiguous_names_are_refused_before_anything_is_sent(
        simulator, run_playbook, tmp_path, devices, message, options):
    simulator.load(fleet(devices_extra=[{'id': 'dup-1', 'name': 'ftd-dup'}, {'id': 'dup-2', 'name': 'ftd-dup'}]))
    _played, results = deploy(run_playbook, tmp_path, devices, **options)
    result = results['localhost']['deployed']
    assert result['failed'] and message in result['msg'], result['msg']
    assert not result['changed'] and posts(simulator) == []
    if devices == ['ftd-1', 'ftd-nine']:
        assert 'its devices are: ftd-1, ftd-2, ftd-3, ftd-c1, ftd-c2, ftd-cluster, ftd-dup' in result['msg']
    if devices == ['ftd-dup']:
        assert 'ftd-dup (Device dup-1, Device dup-2)' in result['msg']


def test_nothing_pending_reads_the_list_again_after_the_grace(simulator, run_playbook, tmp_path):
    simulator.load(fleet())
    played, results = deploy(run_playbook, tmp_path, ['ftd-3', 'ftd-cluster'], pending_grace=2, chain_wait=True)
    result = results['localhost']['deployed']
    assert not result['changed'] and not result.get('failed') and result['deployed'] == []
    assert names(result['up_to_date']) == ['ftd-3', 'ftd-cluster']
    reads = [r['time'] for r in simulator.requests() if r['path'].endswith('/deployment/deployabledevices')]
    assert len(reads) == 2 and reads[1] - reads[0] >= 2
    # A wait chained on a deploy that deployed nothing is skipped, not failed.
    assert results['localhost']['waited']['skipped'] and not results['localhost']['waited'].get('failed')


def test_a_change_made_just_before_is_caught_by_the_grace(simulator, run_playbook, tmp_path):
    simulator.load(fleet(deployment={'step_seconds': 0.4, 'list_lag': 1.5}))
    simulator.change('dev-3', {'policy': 'Just-Changed'})  # listed 1.5 s from now: after the first read
    _played, results = deploy(run_playbook, tmp_path, ['ftd-3'], pending_grace=3)
    result = results['localhost']['deployed']
    assert result['changed'] and [d['name'] for d in result['deployed']] == ['ftd-3']
    assert result['deployed'][0]['policies'] == ['Just-Changed']


def test_a_device_already_deploying_is_waited_for_then_what_is_pending_is_deployed(simulator, run_playbook, tmp_path):
    # Another administrator deploys ftd-2 (and leaves its changes in place: its deployment fails).
    # Long enough that it is still deploying when a slow controller (an older core, a loaded machine) starts.
    scenario = fleet(deploying=[{'units': ['dev-2'], 'seconds': 10}])
    scenario['devices'][1]['outcome'] = 'failed'
    simulator.load(scenario)
    played, results = deploy(run_playbook, tmp_path, ['ftd-1', 'ftd-2'], fail_on_failure=False)
    result = results['localhost']['deployed']
    assert 'another deployment is in progress for ftd-2; waiting for it to end' in played.stdout
    (post,) = posts(simulator)
    assert post['since_load'] >= 10  # only once the other deployment had ended
    assert names(result['deployed']) == ['ftd-1', 'ftd-2'] and result['changed']


def test_on_deploying_fail_names_the_device(simulator, run_playbook, tmp_path):
    simulator.load(fleet(deploying=[{'units': ['ha-1'], 'seconds': 30}]))
    _played, results = deploy(run_playbook, tmp_path, ['ftd-1', 'ftd-ha'], on_deploying='fail')
    result = results['localhost']['deployed']
    assert result['failed'] and 'another deployment is in progress for ftd-ha (on_deploying: fail)' in result['msg']
    assert posts(simulator) == []


def test_a_request_refused_as_in_progress_is_not_retried_but_sent_again_later(simulator, run_playbook, tmp_path):
    # FMC refuses as in progress while none of its reads shows the deployment in the way: sent again after
    # pending_grace each time, for as long as the timeout allows (not a fixed number of rounds).
    refusal = {'match': {'path': '/deploymentrequests', 'method': 'POST'}, 'status': 400, 'times': 6,
               'message': 'Cannot perform deployment to the device, as another deployment is in progress for the device.'}
    simulator.load(fleet(faults=[refusal]))
    played, results = deploy(run_playbook, tmp_path, ['ftd-1'])
    result = results['localhost']['deployed']
    assert result['changed'] and not result.get('failed')
    sent = posts(simulator)
    assert [post['status'] for post in sent] == [400] * 6 + [202]
    assert all(later['since_load'] - earlier['since_load'] >= 1 for earlier, later in zip(sent, sent[1:]))
    assert 'FMC says a deployment is in progress for ftd-1; trying again in 1 s' in played.stdout


def test_the_not_found_grace_counts_from_the_request(simulator, run_playbook, tmp_path):
    # Another deployment holds ftd-2 for 4 s; the new task (ftd-1, as ftd-2 is then up to date) answers 404
    # for 2 s: within a 3 s grace, which a grace counted from the task's start would have spent waiting.
    simulator.load(fleet(deploying=[{'units': ['dev-2'], 'seconds': 4}],
                         deployment={'step_seconds': 0.4, 'list_lag': 1.0, 'hidden_seconds': 2}))
    _played, results = deploy(run_playbook, tmp_path, ['ftd-1', 'ftd-2'], not_found_grace=3)
    result = results['localhost']['deployed']
    assert result['changed'] and not result.get('failed'), result['msg']
    assert names(result['deployed']) == ['ftd-1'] and names(result['up_to_date']) == ['ftd-2']
    assert posts(simulator)[0]['since_load'] >= 4
    assert result['task']['state'] == 'succeeded' and result['task']['elapsed'] < 4


def test_warnings_refuse_the_deployment_unless_ignored(simulator, run_playbook, tmp_path):
    scenario = fleet()
    scenario['devices'][0]['warnings'] = ['[ACP Branch-ACP] Rule allow-web hides rule allow-all',
                                          'Interface outside2 has no security zone']
    simulator.load(scenario)
    _played, results = deploy(run_playbook, tmp_path, ['ftd-1'])
    result = results['localhost']['deployed']
    assert result['failed'] and not result['changed']
    assert ('FMC refused the deployment for warnings in the committed policies: Errors or warnings present in Device '
            'committed policies:; [ACP Branch-ACP] Rule allow-web hides rule allow-all; Interface outside2 has no '
            'security zone. Set ignore_warnings: true to deploy anyway') in result['msg']
    assert [post['status'] for post in posts(simulator)] == [500]  # an answer, not a fault to retry
    _played, results = deploy(run_playbook, tmp_path, ['ftd-1'], ignore_warnings=True)
    assert results['localhost']['deployed']['changed'] and not results['localhost']['deployed'].get('failed')
    assert [post['status'] for post in posts(simulator)] == [500, 202]


def test_a_device_that_cannot_be_deployed_fails_before_the_request(simulator, run_playbook, tmp_path):
    scenario = fleet()
    scenario['devices'][0].update(can_deploy=False, cannot_message='Device is out of sync with the management center.')
    simulator.load(scenario)
    _played, results = deploy(run_playbook, tmp_path, ['ftd-1', 'ftd-2'])
    result = results['localhost']['deployed']
    assert result['failed'] and posts(simulator) == []
    assert 'FMC cannot deploy ftd-1: ftd-1: Device is out of sync with the management center.' in result['msg']


def test_interrupt_traffic_false_refuses_a_device_whose_deployment_would(simulator, run_playbook, tmp_path):
    simulator.load(fleet())
    _played, results = deploy(run_playbook, tmp_path, ['ftd-1', 'ftd-2'], interrupt_traffic=False)
    result = results['localhost']['deployed']
    assert result['failed'] and posts(simulator) == []
    assert 'deploying to ftd-2 would interrupt traffic (trafficInterruption: YES)' in result['msg']
    _played, results = deploy(run_playbook, tmp_path, ['ftd-1'], interrupt_traffic=False)
    assert results['localhost']['deployed']['changed']


def test_check_mode_reports_what_would_be_deployed_and_diff_mode_the_changes(simulator, run_playbook, tmp_path):
    simulator.load(fleet())
    played, results = deploy(run_playbook, tmp_path, ['ftd-1', 'ftd-2', 'ftd-3'], check=True, diff=True)
    result = results['localhost']['deployed']
    assert result['changed'] and not result.get('failed') and posts(simulator) == []
    assert names(result['deployed']) == ['ftd-1', 'ftd-2'] and all(d['state'] == 'pending' for d in result['deployed'])
    assert result['deployed'][1]['policies'] == ['Branch-ACP', 'NAT-Branch']
    assert [d['name'] for d in result['up_to_date']] == ['ftd-3']
    assert 'policy Branch-ACP: pending' in played.stdout and 'ADD AccessRule allow-web' in played.stdout


def test_a_failed_device_fails_the_task_and_stays_pending(simulator, run_playbook, tmp_path):
    scenario = fleet(deployment={'step_seconds': 0.4, 'list_lag': 4.0})
    scenario['devices'][1].update(outcome='failed', message='Interface outside2 is missing')
    simulator.load(scenario)
    _played, results = deploy(run_playbook, tmp_path, ['ftd-1', 'ftd-2'])
    result = results['localhost']['deployed']
    assert result['failed'] and result['changed']
    assert 'device ftd-2 failed: Interface outside2 is missing' in result['msg']
    assert dict((d['name'], d['state']) for d in result['deployed']) == {'ftd-1': 'succeeded', 'ftd-2': 'failed'}
    # The task failed, yet it waited for the list to drop ftd-1, whose deployment succeeded.
    reads = [r['since_load'] for r in simulator.requests() if r['path'].endswith('/deployment/deployabledevices')]
    assert len(reads) >= 3 and reads[-1] - reads[0] >= 4 and 'warnings' not in result
    _played, results = deploy(run_playbook, tmp_path, ['ftd-1', 'ftd-2'], fail_on_failure=False)
    again = results['localhost']['deployed']
    assert not again.get('failed') and [d['name'] for d in again['deployed']] == ['ftd-2']  # only the failed one
    assert [d['name'] for d in again['up_to_date']] == ['ftd-1']


def test_two_forks_deploying_at_once_are_serialised(simulator, run_playbook, tmp_path):
    simulator.load(fleet())
    _played, results = deploy(run_playbook, tmp_path, ['ftd-1', 'ftd-2'], hosts=2)
    first, second = results['host01']['deployed'], results['host02']['deployed']
    assert not first.get('failed') and not second.get('failed')
    assert sorted([first['changed'], second['changed']]) == [False, True]
    (post,) = posts(simulator)  # one request: the second fork waited, then found nothing left to deploy
    assert post['status'] == 202


def test_wait_false_returns_the_task_at_once_and_a_chained_wait_follows_it(simulator, run_playbook, tmp_path):
    simulator.load(fleet())
    _played, results = deploy(run_playbook, tmp_path, ['ftd-1'], wait=False, chain_wait=True)
    result, waited = results['localhost']['deployed'], results['localhost']['waited']
    assert result['changed'] and result['task']['id'] and result['deployed'][0]['state'] == 'pending'
    # The task facts have the one shape of every entry point: raw is there (include_raw), though nothing was read.
    assert 'raw' in result['task'] and result['task']['raw'] is None
    assert waited['all_succeeded'] and waited['tasks'][0]['id'] == result['task']['id']


def test_one_timeout_bounds_the_whole_task_and_keeps_what_is_known(simulator, run_playbook, tmp_path):
    simulator.load(fleet(deployment={'step_seconds': 30, 'list_lag': 1.0}))
    _played, results = deploy(run_playbook, tmp_path, ['ftd-1'], timeout=3)
    result = results['localhost']['deployed']
    assert result['failed'] and result['changed'] and 'timed out after 3s' in result['msg']
    assert result['elapsed'] < 3 + 5  # the timeout, plus at most one read in flight
    assert result['task']['state'] in ('pending', 'running') and not result['task']['terminal']
    assert result['deployed'][0]['name'] == 'ftd-1' and result['deployed'][0]['state'] in ('pending', 'running')
    assert 'warnings' not in result  # nothing was settled: the deployment has not ended


@pytest.mark.parametrize('shape', ['7.x', '6.x'])
def test_named_units_deploy_with_one_item_a_page_and_counts_as_text(simulator, run_playbook, tmp_path, shape):
    # A standalone device, an HA pair by its name and a cluster by a member's name, as Cisco's shapes give them:
    # pair members and 6.x cluster members named only by id, SENSOR in the deployable list, every page one item.
    scenario = fleet(cluster_shape=shape, paging={'max_limit': 1, 'counts_as_text': True})
    scenario['clusters'][0]['pending'] = ['Cluster-ACP']
    simulator.load(scenario)
    _played, results = deploy(run_playbook, tmp_path, ['ftd-1', 'ftd-ha', 'ftd-c2'])
    result = results['localhost']['deployed']
    assert result['changed'] and not result.get('failed'), result
    assert [(d['name'], d['type'], d['state']) for d in result['deployed']] == [
        ('ftd-1', 'Device', 'succeeded'), ('ftd-ha', 'DeviceHAPair', 'succeeded'),
        ('ftd-cluster', 'DeviceCluster', 'succeeded')]
    assert [d['policies'] for d in result['deployed']] == [['Branch-ACP'], ['HA-ACP'], ['Cluster-ACP']]
    assert 'device ftd-c2 is a member of cluster ftd-cluster: it is deployed through it' in result['warnings'][0]
    (post,) = posts(simulator)
    assert post['body']['deviceList'] == ['dev-1', 'ha-1', 'cl-1']
    records = [r for r in simulator.requests() if r['path'].endswith('/devices/devicerecords')]
    assert len(records) == len(scenario['devices'])  # one page a device, every page read
    assert not [r for r in simulator.requests() if '/deviceha/' in r['path']]


def test_a_second_run_is_ok_from_job_history_while_the_list_still_lags(simulator, run_playbook, tmp_path):
    # The deployable list lags the deployment by far more than settle_timeout: only job history, as FMC writes
    # it, says that what it still lists was deployed.
    simulator.load(fleet(deployment={'step_seconds': 0.4, 'list_lag': 120}))
    _played, results = deploy(run_playbook, tmp_path, ['ftd-1'], settle_timeout=1)
    first = results['localhost']['deployed']
    assert first['changed'] and 'the deployable list still listed ftd-1' in first['warnings'][0]
    listed = [r for r in simulator.requests() if r['path'].endswith('/deployment/deployabledevices')]
    _played, results = deploy(run_playbook, tmp_path, ['ftd-1'], pending_grace=0)
    again = results['localhost']['deployed']
    assert not again['changed'] and not again.get('failed') and len(posts(simulator)) == 1, again
    assert [d['name'] for d in again['up_to_date']] == ['ftd-1'] and 'nothing to deploy' in again['msg']
    jobs = [r for r in simulator.requests() if r['path'].endswith('/deployment/jobhistories')]
    filters = set(r['query']['filter'][0].split(':', 1)[0] for r in jobs)
    assert filters == {'startTime', 'jobType'} and len(listed) >= 2


def test_an_fmc_without_job_history_still_deploys_with_one_warning(simulator, run_playbook, tmp_path):
    scenario = fleet(job_history=False)
    simulator.load(scenario)
    _played, results = deploy(run_playbook, tmp_path, ['ftd-1', 'ftd-2'])
    result = results['localhost']['deployed']
    assert result['changed'] and not result.get('failed'), result
    assert [d['state'] for d in result['deployed']] == ['succeeded', 'succeeded']
    (warning,) = [w for w in result.get('warnings', []) if 'job history' in w]
    assert 'has no deployment job history' in warning and 'HTTP 404' in warning
