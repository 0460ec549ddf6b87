# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""cdfmc_deploy's own rules: what a plan deploys, at which version, and what a refused request means."""

import os
import tempfile
import time

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import Deadline
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
    _refusal,
    deploy_lock,
    pending_diff,
    read_plan,
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
                 'policyStatusList': [{'upToDate': False, 'policy': {'name': 'ACP'}}]}, **extra)


def test_a_plan_deploys_what_is_listed_at_the_newest_version():
    plan = Plan([A, B, C], {'a': item(1700000000100), 'b': item(1700000000900)}, [], force=False)
    assert plan.targets == [A, B] and plan.up_to_date == [C] and plan.version() == '1700000000900'


def test_force_deploys_every_device_named_at_the_current_time():
    before = int(time.time() * 1000)
    plan = Plan([A, C], {'a': item(1700000000100)}, [], force=True)
    assert plan.targets == [A, C] and plan.up_to_date == [] and int(plan.version()) >= before


def test_a_version_older_than_a_deployment_that_succeeded_is_up_to_date():
    # The deployable list lags a deployment's end: what a deployment has deployed is not deployed again.
    plan = Plan([A, B, C], {'a': item(1700000000100), 'b': item(1700000000300), 'c': item('')}, [], force=False,
                deployed={'a': 1700000000100, 'b': 1700000000200, 'c': 1700000000200})
    assert plan.targets == [B, C] and plan.up_to_date == [A]  # a listed item without a version stays pending


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
    return Run(_Client(), {}, None, Deadline(seconds), False, False)


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


def _job(start, job_type='DEPLOYMENT', job_status='Deployed', **devices):
    """A job history item as FMC writes it: ISO start time, device words, per-device counters."""
    return {'id': 'job-%s' % start, 'jobType': job_type, 'jobStatus': job_status,
            'startTime': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(start)), 'deviceList': [
                dict({'deviceUUID': device, 'deploymentStatus': status, 'deployedVersion': 2},
                     **({'containerUUID': 'ha'} if device.startswith('m') else {}))
                for device, status in devices.items()]}


def test_a_listed_version_older_than_a_deployment_that_succeeded_is_list_lag():
    now = time.time()
    version = str(int((now - 60) * 1000))
    jobs = [_job(now - 30, a='SUCCEEDED', b='FAILED', m1='SUCCEEDED', m2='SUCCEEDED'),
            _job(now - 90, c='SUCCEEDED'),  # started before the change listed: the change is pending
            _job(now - 20, job_type='ROLLBACK', d='SUCCEEDED'),  # a rollback deploys no pending change
            {'id': 'system', 'jobType': 'UNKNOWN', 'jobStatus': 'DEPLOYED', 'startTime': 'x'}]
    run = Run(_Lists({'/jobhistories': jobs, '/deployabledevices': [
        dict(item(version), device={'id': unit}) for unit in ('a', 'b', 'c', 'd', 'ha')]}), _options(), None,
        Deadline(5), False, False)
    units = [dict(A, id=unit) for unit in ('a', 'b', 'c', 'd')] + [dict(A, id='ha', members=[{'id': 'm1'}])]
    plan = read_plan(run, units)
    assert [unit['id'] for unit in plan.targets] == ['b', 'c', 'd'] and run.warnings == []
    (path, params), = [read for read in run.client.reads if read[0].endswith('/jobhistories')]
    since, until = [int(part.split(':')[1]) for part in params['filter'].split(';')]
    assert params['filter'].startswith('startTime:') and ';endTime:' in params['filter'] and since < now < until


def test_a_unit_is_deploying_when_any_device_of_it_is_and_none_and_edit_inuse_count_for_nothing():
    now = time.time()
    jobs = [_job(now - 5, job_status='DEPLOYING', m1='SUCCEEDED', m2='DEPLOYING', b='NONE'),
            _job(now - 5, job_status='EDIT_INUSE', c='EDIT_INUSE')]
    run = Run(_Lists({'/jobhistories': jobs}), _options(), None, Deadline(5), True, False)
    plan = read_plan(run, [dict(A, id='ha', members=[{'id': 'm1'}]), dict(B), dict(C)])
    assert [unit['id'] for unit in plan.deploying] == ['ha'] and run.warnings == []  # no unknown-status warning


def test_jobs_the_filter_let_through_from_before_the_window_are_not_trusted():
    old = _job(time.time() - 30 * 3600, job_status='DEPLOYING', a='DEPLOYING')
    run = Run(_Lists({'/jobhistories': [old]}), _options(), None, Deadline(5), True, False)
    assert read_plan(run, [A]).deploying == []


def test_an_fmc_without_job_history_deploys_from_is_deploying_alone_with_one_warning():
    client = _Lists({'/jobhistories': CdfmcRequestError('GET x/jobhistories: HTTP 404', status=404),
                     '/deployabledevices': [dict(item(5), device={'id': 'a'}, isDeploying=True)]})
    run = Run(client, _options(), None, Deadline(5), True, False)
    assert read_plan(run, [A, B]).deploying == [A]
    read_plan(run, [A, B])
    assert len(run.warnings) == 1 and 'has no deployment job history (GET x/jobhistories: HTTP 404)' in run.warnings[0]
    assert len([read for read in client.reads if read[0].endswith('/jobhistories')]) == 1
    failing = Run(_Lists({'/jobhistories': CdfmcRequestError('GET x: HTTP 500', status=500)}), _options(), None,
                  Deadline(5), True, False)
    with pytest.raises(CdfmcRequestError):
        read_plan(failing, [A])


def test_a_grace_longer_than_the_time_left_is_cut_to_half_of_it_and_then_skipped_with_a_warning(display_lines):
    client = _Lists({'/deployabledevices': []})
    run = Run(client, _options(), display_lines, Deadline(0.6), False, False)
    started = time.monotonic()
    plan = settled_plan(run, [A])
    assert plan.targets == [] and plan.up_to_date == [A] and time.monotonic() - started < 0.5
    assert 'no time was left to read the deployable list again' in run.warnings[0]
    run = Run(client, _options(), display_lines, Deadline(3), False, False)
    started = time.monotonic()
    settled_plan(run, [A])
    assert 1.2 < time.monotonic() - started < 2.5 and run.warnings == []  # read again after half the time left
    # Said at the default verbosity, so that the wait does not look stuck.
    (line,) = display_lines.lines
    assert line.startswith('cdfmc_deploy: nothing pending for ftd-a; reading the list again in ')
    assert line.endswith(' s (pending_grace), as FMC lists a change a few seconds after it is made')
    assert len([path for path, _params in client.reads if path.endswith('/deployabledevices')]) == 3


def test_check_mode_does_not_wait_for_another_deployment_but_says_so():
    deploying = {'/deployabledevices': [dict(item(5, isDeploying=True, canBeDeployed=False),
                                             device={'id': 'a', 'name': 'ftd-a', 'type': 'Device'})]}
    run = Run(_Lists(deploying), _options(), None, Deadline(5), True, False)
    plan = settled_plan(run, [A])
    assert plan.targets == [A] and plan.blocked == [] and 'another deployment is in progress for ftd-a' in run.warnings[0]
    run = Run(_Lists(deploying), _options(on_deploying='fail'), None, Deadline(5), True,
              False)
    with pytest.raises(DeployFailed, match='on_deploying: fail'):
        settled_plan(run, [A])


def test_settling_never_fails_a_deployment_that_ended():
    plan = Plan([A, B], {'a': item(5), 'b': item(5)}, [], force=False)
    task = {'state': 'failed', 'terminal': True, 'sub_tasks': [
        {'target_id': 'a', 'state': 'succeeded', 'message': ''}, {'target_id': 'b', 'state': 'failed', 'message': ''}]}
    broken = _Lists({'/deployabledevices': CdfmcRequestError('GET x: HTTP 503', status=503)})
    run = Run(broken, _options(), None, Deadline(5), False, False)
    settle(run, plan, task)
    assert 'whether the deployable list caught up with it is not known (GET x: HTTP 503)' in run.warnings[0]
    # The list never catches up with ftd-a: a warning after settle_timeout; ftd-b failed, so it is not waited for.
    listed = [dict(item(5), device={'id': unit_id, 'name': unit_id}) for unit_id in ('a', 'b')]
    run = Run(_Lists({'/deployabledevices': listed}), _options(settle_timeout=1), None, Deadline(5), False, False)
    started = time.monotonic()
    settle(run, plan, task)
    assert 0.8 < time.monotonic() - started < 2.5
    assert 'the deployable list still listed ftd-a when settle_timeout (1 s) came' in run.warnings[0]
    # The one deadline can come first: then the warning says so.
    run = Run(_Lists({'/deployabledevices': listed}), _options(settle_timeout=60), None, Deadline(0.5), False, False)
    settle(run, plan, task)
    assert 'the deployable list still listed ftd-a when the timeout came' in run.warnings[0]
    # Once the list drops it (or lists a newer version), settling ends at once, without a warning.
    newer = [dict(item(6), device={'id': 'a', 'name': 'a'})]
    run = Run(_Lists({'/deployabledevices': newer}), _options(), None, Deadline(5), False,
              False)
    settle(run, plan, task)
    assert run.warnings == []


def test_a_diff_without_pending_changes_shows_the_policies_and_says_why_at_vvv(display_lines):
    listed = {'a': {'version': '5', 'policyStatusList': [{'upToDate': False, 'policy': {'name': 'ACP'}}]}}
    lines = display_lines
    run = Run(_Lists({'/pendingchanges': CdfmcRequestError('GET x/pendingchanges: HTTP 404', status=404)}), _options(),
              lines, Deadline(5), False, True)
    (diff,) = pending_diff(run, Plan([{'id': 'a', 'name': 'ftd-a'}], listed, [], False))
    assert diff['after'] == 'policy ACP: pending\n' and diff['after_header'] == 'ftd-a (pending)'
    assert lines.lines == ['cdfmc_deploy: pending changes of ftd-a not read, the diff shows its '
                           'policies: GET x/pendingchanges: HTTP 404']


# What FMC lists for a standalone FTD (the shape of Cisco's deployable devices example): every policy, most of them
# unnamed and up to date; a referred policy out of date; the device as SENSOR, listing itself as its member.
CISCO_LIKE_ITEM = {
    'version': '1597825642070', 'name': '10.10.6.71', 'type': 'DeployableDevice', 'upToDate': False,
    'canBeDeployed': True, 'isDeploying': False, 'trafficInterruption': 'NO',
    'device': {'id': 'ec6f', 'name': '10.10.6.71', 'type': 'SENSOR', 'keepLocalEvents': False},
    'deviceMembers': [{'id': 'ec6f', 'name': '10.10.6.71', 'type': 'SENSOR'}],
    'policyStatusList': [
        {'upToDate': True, 'policy': {'id': 'p1', 'type': 'PG.RA.PkiPolicy'}, 'versionTimeStamp': 1597810841104},
        {'upToDate': False, 'policy': {'id': 'p2', 'type': 'PG.PLATFORM.NgfwInlineSetPage'}},
        {'upToDate': False, 'policy': {'id': 'p3', 'name': 'Branch ACP', 'type': 'PG.FIREWALL.NGFWAccessControlPolicy'},
         'referredPolicyList': [{'upToDate': True, 'policy': {'id': 'p4', 'name': 'QoS'}},
                                {'upToDate': False, 'policy': {'id': 'p5', 'name': 'DNS', 'type': 'DNSPolicy'}},
                                {'upToDate': 'false', 'policy': {'id': 'p6', 'type': 'SSLPolicy'}}]},
        {'upToDate': True, 'policy': {'id': 'p7', 'name': '10.10.6.71', 'type': 'NGFWPolicy'}},
        {'upToDate': False, 'policy': {'id': 'p8', 'name': 'DNS', 'type': 'DNSPolicy'}},  # named twice: once
    ]}


def test_only_policies_out_of_date_are_pending_named_by_name_else_by_type():
    from ansible_collections.cisco.cdfmc.plugins.plugin_utils._deploy import _policies, _unit_of
    assert _policies(CISCO_LIKE_ITEM) == ['PG.PLATFORM.NgfwInlineSetPage', 'Branch ACP', 'DNS', 'SSLPolicy']
    assert _unit_of(CISCO_LIKE_ITEM) == {'id': 'ec6f', 'name': '10.10.6.71', 'type': 'Device', 'members': []}


def test_a_device_deploying_is_not_blocked_though_fmc_still_says_it_can_be_deployed():
    deploying = dict(CISCO_LIKE_ITEM, isDeploying=True, message='another deployment is in progress')
    run = Run(_Lists({'/deployabledevices': [deploying]}), _options(), None, Deadline(5),
              True, False)
    plan = read_plan(run, None)
    assert [unit['id'] for unit in plan.deploying] == ['ec6f'] and plan.blocked == []


def test_the_diff_shows_each_entity_field_by_field_with_secrets_masked():
    from ansible_collections.cisco.cdfmc.plugins.plugin_utils._deploy import change_lines
    changes = [
        {'action': 'update', 'entityType': 'AccessRule', 'entityName': 'allow-web', 'entityUUID': 'r1',
         'valueUpdated': [{'fieldName': 'action', 'oldValue': 'ALLOW', 'newValue': 'BLOCK'}],
         'valueAdded': [{'fieldName': 'comments', 'newValue': ['reviewed']}],
         'valueDeleted': [{'fieldName': 'logEnd', 'oldValue': True}],
         'referencesAdded': [{'fieldName': 'destinationNetworks', 'entityType': 'Host', 'entityName': 'web-1'}],
         'referencesDeleted': [{'fieldName': 'destinationNetworks', 'entityType': 'Host', 'entityName': 'web-0'}]},
        {'action': 'Add', 'entityType': 'DeviceHAPair', 'entityName': 'ha\x1b[2J', 'valueAdded': [
            {'fieldName': 'ftdHABootstrap.sharedKey', 'newValue': 'cisco123'}]},
        {'action': 'DELETE', 'entityType': 'Host', 'entityName': 'old', 'message': 'No diff available'},
    ]
    sides = [change_lines(change) for change in changes]
    assert sides[0] == (['  UPDATE AccessRule allow-web', '    action: ALLOW', '    logEnd: true',
                         '    destinationNetworks -> Host web-0'],
                        ['  UPDATE AccessRule allow-web', '    action: BLOCK', '    comments: ["reviewed"]',
                         '    destinationNetworks -> Host web-1'])
    assert sides[1] == ([], ['  ADD DeviceHAPair ha\\x1b[2J', '    ftdHABootstrap.sharedKey: ********'])
    assert sides[2] == (['  DELETE Host old'], ['    (No diff available)'])
    assert 'cisco123' not in repr(sides)
