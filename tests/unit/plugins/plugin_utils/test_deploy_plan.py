# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""cdfmc_deploy's plan, with no I/O: what a plan deploys, at which version, what a refused request means, each
device's report, and the diff."""

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import (
    NO_ANSWER,
    CdfmcRequestError,
    CdfmcResponseError,
    CdfmcTLSError,
)
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._deploy_plan import (
    ACCEPTED,
    IN_PROGRESS,
    REFUSED,
    UNKNOWN,
    Plan,
    change_lines,
    device_diff,
    device_of,
    device_reports,
    device_sub_tasks,
    pending_policies,
    plan_of,
    request_outcome,
    task_id_in,
)
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._jobs import now_ms

A = {'id': 'a', 'name': 'ftd-a', 'type': 'Device', 'members': []}
B = {'id': 'b', 'name': 'ftd-b', 'type': 'Device', 'members': []}
C = {'id': 'c', 'name': 'ftd-c', 'type': 'Device', 'members': []}


def item(version, **extra):
    return dict({'version': str(version), 'canBeDeployed': True, 'trafficInterruption': 'NO',
                 'policyStatusList': [{'upToDate': False, 'policy': {'name': 'ACP'}}]}, **extra)


def test_a_plan_deploys_what_is_listed_at_the_newest_version():
    plan = Plan([A, B, C], {'a': item(1700000000100), 'b': item(1700000000900)}, [], force=False)
    assert plan.targets == [A, B] and plan.up_to_date == [C] and plan.version() == '1700000000900'


def test_force_deploys_every_device_named_at_the_time_of_the_read(clock):
    read_at = now_ms(clock)
    plan = Plan([A, C], {'a': item(1700000000100)}, [], force=True, read_at_ms=read_at)
    assert plan.targets == [A, C] and plan.up_to_date == [] and plan.version() == str(read_at)


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
    assert device_sub_tasks(plan, task) == {'ha': task['sub_tasks'][1]}
    reports = device_reports(plan, task, '5')
    # A device the ended task names nowhere takes the task's own state, not "pending".
    assert [(r['name'], r['state'], r['message']) for r in reports] == [
        ('ftd-ha', 'failed', 'standby unreachable'), ('ftd-a', 'failed', 'Deployment failed')]
    running = dict(task, terminal=False, state='running')
    assert [r['state'] for r in device_reports(plan, running, '5')] == ['failed', 'pending']


def test_a_forced_plan_keeps_one_version_for_the_request_the_report_and_the_settling(clock):
    plan = Plan([A, C], {'a': item(1700000000100)}, [], force=True, read_at_ms=now_ms(clock))
    first = plan.version()
    clock.advance(0.01)
    assert plan.version() == first


@pytest.mark.parametrize('error,kind,text', [
    (CdfmcRequestError('POST x: HTTP 400', status=400,
                       detail='Cannot perform deployment to the device, as another deployment is in progress'),
     IN_PROGRESS, 'HTTP 400'),
    (CdfmcRequestError('POST x: HTTP 500', status=500,
                       detail='Errors or warnings present in Device committed policies:; Rule 7 is shadowed'),
     REFUSED, 'for warnings in the committed policies: Errors or warnings present in Device committed '
              'policies:; Rule 7 is shadowed. Set ignore_warnings: true to deploy anyway'),
    (CdfmcRequestError('POST x: no answer within 30.0s (request_timeout)'), UNKNOWN,
     'a deployment may have started'),
    (CdfmcResponseError('POST x: HTTP 200 with a body that is not JSON: <html>', status=200), ACCEPTED,
     'FMC accepted the deployment request, so a deployment has started'),
    (CdfmcResponseError('POST x: the response is larger than 1 bytes', status=202, kind=NO_ANSWER), ACCEPTED,
     'FMC accepted the deployment request'),
    (CdfmcRequestError('POST x: HTTP 504 Gateway Timeout', status=504), UNKNOWN, 'may have started'),
    (CdfmcRequestError('POST x: connection refused', refused=True), REFUSED, 'connection refused'),
    (CdfmcRequestError('POST x: HTTP 403 Forbidden', status=403), REFUSED, 'HTTP 403'),
    (CdfmcRequestError('POST x: no time left before the deadline', sent=False), REFUSED, 'no time left'),
    (CdfmcTLSError('POST x: certificate verify failed'), REFUSED, 'certificate verify failed'),
])
def test_what_a_refused_request_means(error, kind, text):
    outcome = request_outcome(None, error, [A])
    assert outcome.kind == kind and text in outcome.message and outcome.task_id is None
    assert outcome.changed is (kind == ACCEPTED)
    if kind != ACCEPTED and 'no answer' not in str(error) and 'HTTP 504' not in str(error):
        assert 'may have started' not in outcome.message and 'has started' not in outcome.message


def test_an_accepted_request_is_its_task_or_a_change_that_names_none():
    assert request_outcome('8589934593', None, [A]) == (ACCEPTED, '8589934593', None)
    outcome = request_outcome(None, None, [A])
    assert outcome.changed and outcome.task_id is None and outcome.message == (
        'FMC accepted the deployment request to ftd-a but named no usable task (metadata.task.id) to wait on: look at '
        'its deployment history')
    assert task_id_in({'metadata': {'task': {'id': 8589934593}}}) == '8589934593'
    for answer in (None, [], {'metadata': {}}, {'metadata': {'task': {'id': '../x'}}}):
        assert task_id_in(answer) is None


def test_what_cannot_go_is_refused_before_the_request():
    listed = {'a': item(1, canBeDeployed=False, message='out of \x1b[2Jsync'), 'b': item(1, trafficInterruption='YES')}
    assert Plan([A, B], listed, [], force=False).refusal(interrupt_traffic=True) == (
        'FMC cannot deploy ftd-a: ftd-a: out of \\x1b[2Jsync; nothing was deployed')
    plan = Plan([B], listed, [], force=False)
    assert plan.refusal(interrupt_traffic=True) is None
    assert plan.refusal(interrupt_traffic=False) == ('deploying to ftd-b would interrupt traffic (trafficInterruption: '
                                                     'YES) and interrupt_traffic is false; nothing was deployed')


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
    assert pending_policies(CISCO_LIKE_ITEM) == ['PG.PLATFORM.NgfwInlineSetPage', 'Branch ACP', 'DNS', 'SSLPolicy']
    assert device_of(CISCO_LIKE_ITEM) == {'id': 'ec6f', 'name': '10.10.6.71', 'type': 'Device', 'members': []}


@pytest.mark.parametrize('flag', [True, 'true'])  # as every flag of FMC's is read
def test_a_device_deploying_is_not_blocked_though_fmc_still_says_it_can_be_deployed(flag):
    deploying = dict(CISCO_LIKE_ITEM, isDeploying=flag, message='another deployment is in progress')
    plan = plan_of([deploying], None, [], force=False, read_at_ms=0)
    assert [device['id'] for device in plan.deploying] == ['ec6f'] and plan.blocked == []


def test_the_diff_shows_each_entity_field_by_field_with_secrets_masked():
    changes = [
        {'action': 'update', 'entityType': 'AccessRule', 'entityName': 'allow-web', 'entityUUID': 'r1',
         'valueUpdated': [{'fieldName': 'action', 'oldValue': 'ALLOW', 'newValue': 'BLOCK'}],
         'valueAdded': [{'fieldName': 'comments', 'newValue': ['reviewed']}],
         'valueDeleted': [{'fieldName': 'logEnd', 'oldValue': True}],
         'referencesAdded': [{'fieldName': 'destinationNetworks', 'entityType': 'Host', 'entityName': 'web-1'}],
         'referencesDeleted': [{'fieldName': 'destinationNetworks', 'entityType': 'Host', 'entityName': 'web-0'}]},
        {'action': 'Add', 'entityType': 'DeviceHAPair', 'entityName': 'ha\x1b[2J', 'valueAdded': [
            {'fieldName': 'ftdHABootstrap.sharedKey', 'newValue': 'cisco123'}]},
        {'action': 'update', 'entityType': 'DeviceHAPair', 'entityName': 'ha', 'valueUpdated': [
            {'fieldName': 'ftdHABootstrap', 'oldValue': {'sharedKey': 'cisco123', 'isEncryptionEnabled': False},
             'newValue': '{"sharedKey": "cisco456", "isEncryptionEnabled": true}'}]},
        {'action': 'DELETE', 'entityType': 'Host', 'entityName': 'old', 'message': 'No diff available'},
    ]
    sides = [change_lines(change) for change in changes]
    assert sides[0] == (['  UPDATE AccessRule allow-web', '    action: ALLOW', '    logEnd: true',
                         '    destinationNetworks -> Host web-0'],
                        ['  UPDATE AccessRule allow-web', '    action: BLOCK', '    comments: ["reviewed"]',
                         '    destinationNetworks -> Host web-1'])
    assert sides[1] == ([], ['  ADD DeviceHAPair ha\\x1b[2J', '    ftdHABootstrap.sharedKey: ********'])
    assert sides[2] == (['  UPDATE DeviceHAPair ha', '    ftdHABootstrap: {"isEncryptionEnabled": false, '
                         '"sharedKey": "********"}'],
                        ['  UPDATE DeviceHAPair ha', '    ftdHABootstrap: {"isEncryptionEnabled": true, '
                         '"sharedKey": "********"}'])
    assert sides[3] == (['  DELETE Host old'], ['    (No diff available)'])
    assert 'cisco123' not in repr(sides) and 'cisco456' not in repr(sides)


def test_a_device_s_diff_shows_its_policies_then_its_changes():
    change = {'action': 'update', 'entityType': 'AccessRule', 'entityName': 'allow-web',
              'valueUpdated': [{'fieldName': 'action', 'oldValue': 'ALLOW', 'newValue': 'BLOCK'}]}
    diff = device_diff({'id': 'a', 'name': 'ftd-a'}, item(5), [change])
    assert diff == {'before_header': 'ftd-a (deployed)', 'after_header': 'ftd-a (pending)',
                    'before': '  UPDATE AccessRule allow-web\n    action: ALLOW\n',
                    'after': 'policy ACP: pending\n  UPDATE AccessRule allow-web\n    action: BLOCK\n'}
