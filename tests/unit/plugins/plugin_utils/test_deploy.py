# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""cdfmc_deploy's own rules: what a plan deploys, at which version, and what a refused request means."""

import os
import tempfile
import threading
import time

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import (
    NO_ANSWER,
    CdfmcRequestError,
    CdfmcResponseError,
    CdfmcTLSError,
)
from ansible_collections.cisco.cdfmc.plugins.module_utils._statefile import private_directory
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._deploy import (
    DeployAccepted,
    DeployFailed,
    InProgress,
    Plan,
    Run,
    _job_devices,
    _refusal,
    deploy_lock,
    pending_diff,
    device_reports,
    settle,
    settled_plan,
    unit_sub_tasks,
)

A = {'id': 'a', 'name': 'ftd-a', 'type': 'Device', 'members': []}
B = {'id': 'b', 'name': 'ftd-b', 'type': 'Device', 'members': []}
C = {'id': 'c', 'name': 'ftd-c', 'type': 'Device', 'members': []}


def item(version, **extra):
    return dict({'version': str(version), 'canBeDeployed': True, 'trafficInterruption': 'NO',
                 'policyStatusList': [{'policy': {'name': 'ACP'}}]}, **extra)


def test_a_plan_deploys_what_is_listed_at_the_newest_version():
    plan = Plan([A, B, C], {'a': item(1700000000100), 'b': item(1700000000900)}, [], force=False)
    assert plan.targets == [A, B] and plan.up_to_date == [C] and plan.version() == '1700000000900'


def test_force_deploys_every_device_named_at_the_current_time():
    before = int(time.time() * 1000)
    plan = Plan([A, C], {'a': item(1700000000100)}, [], force=True)
    assert plan.targets == [A, C] and plan.up_to_date == [] and int(plan.version()) >= before


def test_a_version_an_ended_deployment_deployed_is_up_to_date():
    # The deployable list lags a deployment's end: what a deployment has deployed is not deployed again.
    plan = Plan([A, B], {'a': item(100), 'b': item(300)}, [], force=False, deployed={'a': 100, 'b': 200})
    assert plan.targets == [B] and plan.up_to_date == [A]


def test_a_device_that_cannot_be_deployed_is_blocked_unless_it_is_deploying():
    listed = {'a': item(1, canBeDeployed=False, message='out of sync'), 'b': item(1, canBeDeployed=False)}
    plan = Plan([A, B], listed, [B], force=False)
    assert plan.blocked == [(A, 'out of sync')]


def test_device_reports_take_each_state_from_its_sub_task():
    plan = Plan([A, B], {'a': item(5), 'b': item(6, trafficInterruption='YES')}, [], force=False)
    task = {'state': 'failed', 'terminal': True, 'sub_tasks': [
        {'target_id': 'a', 'state': 'succeeded', 'message': 'Deployed'},
        {'target_id': 'b', 'state': 'failed', 'message': 'nameif clash'}]}
    reports = device_reports(plan, task, '6')
    assert [(r['name'], r['state'], r['message'], r['version'], r['traffic_interruption']) for r in reports] == [
        ('ftd-a', 'succeeded', 'Deployed', '5', 'NO'), ('ftd-b', 'failed', 'nameif clash', '6', 'YES')]
    assert reports[0]['policies'] == ['ACP']
    assert [(r['state'], r['message']) for r in device_reports(plan, None, '6')] == [('pending', None)] * 2
    # A task without sub-tasks gives its own state and message to every device.
    whole = {'state': 'failed', 'terminal': True, 'message': 'Deployment failed on warnings', 'sub_tasks': []}
    assert [r['message'] for r in device_reports(plan, whole, '6')] == ['Deployment failed on warnings'] * 2


def test_a_pair_whose_members_fmc_names_takes_the_state_of_a_member_that_did_not_succeed():
    pair = {'id': 'ha', 'name': 'ftd-ha', 'type': 'DeviceHAPair',
            'members': [{'id': 'm1', 'name': 'ftd-ha-a'}, {'id': 'm2', 'name': 'ftd-ha-b'}]}
    plan = Plan([pair, A], {'ha': item(5), 'a': item(5)}, [], force=False)
    task = {'state': 'failed', 'terminal': True, 'message': 'Deployment failed', 'sub_tasks': [
        {'target_id': 'm1', 'state': 'succeeded', 'message': 'ok'},
        {'target_id': 'm2', 'state': 'failed', 'message': 'standby unreachable'}]}
    assert unit_sub_tasks(plan, task) == {'ha': task['sub_tasks'][1]}
    reports = device_reports(plan, task, '5')
    # A device the ended task names nowhere takes the task's own state, not "pending".
    assert [(r['name'], r['state'], r['message']) for r in reports] == [
        ('ftd-ha', 'failed', 'standby unreachable'), ('ftd-a', 'failed', 'Deployment failed')]
    running = dict(task, terminal=False, state='running')
    assert [r['state'] for r in device_reports(plan, running, '5')] == ['failed', 'pending']


def test_a_forced_plan_keeps_one_version_for_the_request_the_report_and_the_settling():
    plan = Plan([A, C], {'a': item(1700000000100)}, [], force=True)
    first = plan.version()
    time.sleep(0.01)
    assert plan.version() == first


@pytest.mark.parametrize('error,kind,text', [
    (CdfmcRequestError('POST x: HTTP 400', status=400,
                       detail='Cannot perform deployment to the device, as another deployment is in progress'),
     InProgress, 'HTTP 400'),
    (CdfmcRequestError('POST x: HTTP 500', status=500,
                       detail='Errors or warnings present in Device committed policies:; Rule 7 is shadowed'),
     DeployFailed, 'for warnings in the committed policies: Errors or warnings present in Device committed '
                   'policies:; Rule 7 is shadowed. Set ignore_warnings: true to deploy anyway'),
    (CdfmcRequestError('POST x: no answer within 30.0s (request_timeout)'), DeployFailed,
     'a deployment may have started'),
    (CdfmcResponseError('POST x: HTTP 200 with a body that is not JSON: <html>', status=200), DeployAccepted,
     'FMC accepted the deployment request, so a deployment has started'),
    (CdfmcResponseError('POST x: the response is larger than 1 bytes', status=202, kind=NO_ANSWER), DeployAccepted,
     'FMC accepted the deployment request'),
    (CdfmcRequestError('POST x: HTTP 504 Gateway Timeout', status=504), DeployFailed, 'may have started'),
    (CdfmcRequestError('POST x: connection refused', refused=True), DeployFailed, 'connection refused'),
    (CdfmcRequestError('POST x: HTTP 403 Forbidden', status=403), DeployFailed, 'HTTP 403'),
    (CdfmcRequestError('POST x: no time left before the deadline', sent=False), DeployFailed, 'no time left'),
    (CdfmcTLSError('POST x: certificate verify failed'), DeployFailed, 'certificate verify failed'),
])
def test_what_a_refused_request_means(error, kind, text):
    refusal = _refusal(error)
    assert refusal.__class__ is kind and text in str(refusal)
    assert refusal.changed is (kind is DeployAccepted)
    if kind is not DeployAccepted and 'no answer' not in str(error) and 'HTTP 504' not in str(error):
        assert 'may have started' not in str(refusal) and 'has started' not in str(refusal)


class _Client:
    class settings:
        server = 'https://fmc.example.com'

    @staticmethod
    def config_path(path):
        return '/api/fmc_config/v1/domain/d%s' % path


def _run(seconds):
    return Run(_Client(), {}, None, time.monotonic() + seconds, threading.Event(), False, False)


@pytest.fixture
def own_tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, 'gettempdir', lambda: str(tmp_path))
    return tmp_path


def test_the_deploy_lock_is_held_by_one_fork_and_another_waits_until_its_deadline(own_tmp):
    with deploy_lock(_run(5)):
        started = time.monotonic()
        with pytest.raises(DeployFailed, match='another fork of this host was requesting a deployment'):
            with deploy_lock(_run(0.4)):
                pytest.fail('the lock was had twice')
        assert 0.2 < time.monotonic() - started < 3
    with deploy_lock(_run(0.4)):
        pass  # released: had at once


def test_an_unusable_deploy_lock_warns_and_goes_on_and_the_body_s_errors_pass_through(own_tmp):
    run = _run(5)
    with deploy_lock(run):
        pass
    (name,) = [name for name in os.listdir(private_directory()) if name.endswith('.deploy.lock')]
    lock = os.path.join(private_directory(), name)
    os.unlink(lock)
    os.symlink(str(own_tmp / 'elsewhere'), lock)
    with pytest.raises(DeployFailed, match='the body failed'):
        with deploy_lock(run):
            raise DeployFailed('the body failed')
    assert len(run.warnings) == 1 and 'is a symbolic link' in run.warnings[0] and 'not serialised' in run.warnings[0]
    assert not (own_tmp / 'elsewhere').exists()


class _Lists(_Client):
    """A client whose lists are given: path ending -> items, or an error to raise."""

    def __init__(self, lists):
        self.lists, self.reads = lists, []

    def all_items(self, path, deadline, params=None):
        self.reads.append((path, params))
        for ending, answer in self.lists.items():
            if path.endswith(ending):
                if isinstance(answer, Exception):
                    raise answer
                return list(answer(params) if callable(answer) else answer)
        return []


def _options(**extra):
    return dict({'force': False, 'on_deploying': 'wait', 'pending_grace': 10, 'poll_interval': 0.05,
                 'settle_timeout': 1}, **extra)


def test_job_histories_name_a_member_by_its_container_and_each_device_by_its_own_status():
    jobs = [{'jobStatus': 'FAILED', 'deviceList': [
        {'deviceUUID': 'm1', 'containerUUID': 'ha', 'deploymentStatus': 'DEPLOYED', 'deployedVersion': '7'},
        {'deviceUUID': 'b', 'deploymentStatus': 'FAILED', 'deployedVersion': '7'}]},
        {'jobStatus': 'DEPLOYED', 'deviceList': [{'deviceUUID': 'a', 'deployedVersion': '9'}, 'junk', {}]}]
    run = Run(_Lists({'/jobhistories': jobs}), _options(), None, time.monotonic() + 5, threading.Event(), False, False)
    assert sorted(_job_devices(run, 'jobType:DEPLOYMENT', 'DEPLOYED')) == [('a', 9), ('ha', 7)]


def test_a_deployed_version_that_is_not_an_epoch_ms_time_hides_no_pending_change():
    now_ms = int(time.time() * 1000)
    jobs = [{'jobStatus': 'DEPLOYED', 'deviceList': [
        {'deviceUUID': 'a', 'deployedVersion': str(now_ms)},
        {'deviceUUID': 'b', 'deployedVersion': str(now_ms * 1000)},  # microseconds
        {'deviceUUID': 'c', 'deployedVersion': 'v7'}]}]
    run = Run(_Lists({'/jobhistories': jobs}), _options(), None, time.monotonic() + 5, threading.Event(), False, False)
    deployed = dict(_job_devices(run, 'jobType:DEPLOYMENT', 'DEPLOYED'))
    assert deployed == {'a': now_ms, 'b': 0, 'c': 0}
    plan = Plan([{'id': 'a'}, {'id': 'b'}], {'a': {'version': str(now_ms)}, 'b': {'version': str(now_ms)}}, [], False,
                deployed)
    assert [unit['id'] for unit in plan.targets] == ['b']


def test_a_pair_is_deployed_when_all_its_members_are_and_deploying_when_any_is():
    jobs = [{'jobStatus': 'FAILED', 'deviceList': [
        {'deviceUUID': 'm1', 'containerUUID': 'ha', 'deploymentStatus': 'Deployed', 'deployedVersion': '7'},
        {'deviceUUID': 'm2', 'containerUUID': 'ha', 'deploymentStatus': 'FAILED', 'deployedVersion': '7'}]},
        {'jobStatus': 'DEPLOYING', 'deviceList': [
            {'deviceUUID': 'n1', 'containerUUID': 'cl', 'deploymentStatus': 'DEPLOYED'},
            {'deviceUUID': 'n2', 'containerUUID': 'cl', 'deploymentStatus': 'DEPLOYING'}]}]
    run = Run(_Lists({'/jobhistories': jobs}), _options(), None, time.monotonic() + 5, threading.Event(), False, False)
    assert list(_job_devices(run, 'jobType:DEPLOYMENT', 'DEPLOYED')) == []  # one member failed: still pending
    assert list(_job_devices(run, 'jobType:DEPLOYMENT', 'DEPLOYING')) == [('cl', 0)]


def test_a_grace_longer_than_the_time_left_is_cut_to_half_of_it_and_then_skipped_with_a_warning():
    client = _Lists({'/deployabledevices': []})
    run = Run(client, _options(), None, time.monotonic() + 0.6, threading.Event(), False, False)
    started = time.monotonic()
    plan = settled_plan(run, [A])
    assert plan.targets == [] and plan.up_to_date == [A] and time.monotonic() - started < 0.5
    assert 'no time was left to read the deployable list again' in run.warnings[0]
    run = Run(client, _options(), None, time.monotonic() + 3, threading.Event(), False, False)
    started = time.monotonic()
    settled_plan(run, [A])
    assert 1.2 < time.monotonic() - started < 2.5 and run.warnings == []  # read again after half the time left
    assert len([path for path, _params in client.reads if path.endswith('/deployabledevices')]) == 3


def test_check_mode_does_not_wait_for_another_deployment_but_says_so():
    deploying = {'/deployabledevices': [dict(item(5, isDeploying=True, canBeDeployed=False),
                                             device={'id': 'a', 'name': 'ftd-a', 'type': 'Device'})]}
    run = Run(_Lists(deploying), _options(), None, time.monotonic() + 5, threading.Event(), True, False)
    plan = settled_plan(run, [A])
    assert plan.targets == [A] and plan.blocked == [] and 'another deployment is in progress for ftd-a' in run.warnings[0]
    run = Run(_Lists(deploying), _options(on_deploying='fail'), None, time.monotonic() + 5, threading.Event(), True,
              False)
    with pytest.raises(DeployFailed, match='on_deploying: fail'):
        settled_plan(run, [A])


def test_settling_never_fails_a_deployment_that_ended():
    plan = Plan([A, B], {'a': item(5), 'b': item(5)}, [], force=False)
    task = {'state': 'failed', 'terminal': True, 'sub_tasks': [
        {'target_id': 'a', 'state': 'succeeded', 'message': ''}, {'target_id': 'b', 'state': 'failed', 'message': ''}]}
    broken = _Lists({'/deployabledevices': CdfmcRequestError('GET x: HTTP 503', status=503)})
    run = Run(broken, _options(), None, time.monotonic() + 5, threading.Event(), False, False)
    settle(run, plan, task)
    assert 'whether the deployable list caught up with it is not known (GET x: HTTP 503)' in run.warnings[0]
    # The list never catches up with ftd-a: a warning after settle_timeout; ftd-b failed, so it is not waited for.
    listed = [dict(item(5), device={'id': unit_id, 'name': unit_id}) for unit_id in ('a', 'b')]
    run = Run(_Lists({'/deployabledevices': listed}), _options(settle_timeout=1), None, time.monotonic() + 5,
              threading.Event(), False, False)
    started = time.monotonic()
    settle(run, plan, task)
    assert 0.8 < time.monotonic() - started < 2.5
    assert 'the deployable list still listed ftd-a when settle_timeout (1 s) came' in run.warnings[0]
    # The one deadline can come first: then the warning says so.
    run = Run(_Lists({'/deployabledevices': listed}), _options(settle_timeout=60), None, time.monotonic() + 0.5,
              threading.Event(), False, False)
    settle(run, plan, task)
    assert 'the deployable list still listed ftd-a when the timeout came' in run.warnings[0]
    # Once the list drops it (or lists a newer version), settling ends at once, without a warning.
    newer = [dict(item(6), device={'id': 'a', 'name': 'a'})]
    run = Run(_Lists({'/deployabledevices': newer}), _options(), None, time.monotonic() + 5, threading.Event(), False,
              False)
    settle(run, plan, task)
    assert run.warnings == []


def test_a_diff_without_pending_changes_shows_the_policies_and_says_why_at_vvv(display_lines):
    listed = {'a': {'version': '5', 'policyStatusList': [{'policy': {'name': 'ACP'}}]}}
    lines = display_lines
    run = Run(_Lists({'/pendingchanges': CdfmcRequestError('GET x/pendingchanges: HTTP 404', status=404)}), _options(),
              lines, time.monotonic() + 5, threading.Event(), False, True)
    (diff,) = pending_diff(run, Plan([{'id': 'a', 'name': 'ftd-a'}], listed, [], False))
    assert diff['after'] == 'policy ACP: pending\n' and diff['after_header'] == 'ftd-a (pending)'
    assert lines.lines == ['cdfmc_deploy: pending changes of ftd-a not read, the diff shows its '
                           'policies: GET x/pendingchanges: HTTP 404']
