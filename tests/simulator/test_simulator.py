# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator itself: its answers fit a strict schema derived from the API doc, and it behaves as scripted."""

import calendar
import json
import os
import re
import time
import urllib.request

import jsonschema
import pytest

from cdfmc_simulator.api import GLOBAL_DOMAIN_UUID, Simulator

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_FILE = os.path.join(HERE, 'schemas', 'task_status.strict.json')
API_DOC = os.path.join(HERE, '..', '..', '..', 'shared', 'api', 'getTaskStatus.json')
TASKS = '/firewall/v1/cdfmc/api/fmc_config/v1/domain/%s/job/taskstatuses/' % GLOBAL_DOMAIN_UUID
DEPLOY = '/api/fmc_config/v1/domain/%s/deployment/deploymentrequests' % GLOBAL_DOMAIN_UUID
AUTH = {'Authorization': 'Bearer sim-token'}


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def schema():
    with open(SCHEMA_FILE) as handle:
        return json.load(handle)


def get(simulator, task_id, detailed=True, headers=None):
    query = {'showDetailedDeviceStatus': ['true']} if detailed else {}
    return simulator.handle('GET', TASKS + task_id, query, AUTH if headers is None else headers, None)


def body(reply):
    return json.loads(reply.payload)


SCENARIO = {
    'devices': [{'id': 'd1', 'name': 'ftd-1'}, {'id': 'd2', 'name': 'ftd-2', 'outcome': 'failed', 'message': 'boom'}],
    'deployment': {'step_seconds': 1},
    'tasks': [
        {'id': 'reg', 'task_type': 'DEVICE_REGISTRATION', 'timeline': [{'at': 0, 'status': 'Pending'},
                                                                       {'at': 5, 'status': 'Success'}],
         'sub_tasks': [{'target': {'id': 'd1', 'name': 'ftd-1'}, 'timeline': [{'at': 0, 'status': 'PENDING'}]}]},
        {'id': 'dep', 'task_type': 'DEVICE_DEPLOYMENT', 'timeline': [{'at': 0, 'status': 'Deploying'}],
         'sub_tasks': [{'target': {'id': 'd1'}, 'timeline': [{'at': 0, 'status': 'DEPLOYING'}]}]},
    ],
}


def test_strict_schema_accepts_the_simulators_answers(schema):
    clock = Clock()
    simulator = Simulator(SCENARIO, clock=clock)
    answers = [body(get(simulator, 'reg')), body(get(simulator, 'dep')), body(get(simulator, 'dep', detailed=False))]
    deployed = body(simulator.handle('POST', DEPLOY, {}, AUTH,
                                     {'type': 'DeploymentRequest', 'deviceList': ['d1', 'd2']}))
    for clock.now in (1000.0, 1001.5, 1010.0):
        answers.append(body(get(simulator, deployed['metadata']['task']['id'])))
    for answer in answers:
        jsonschema.validate(answer, schema)


@pytest.mark.parametrize('bad', [
    {'type': 'TaskStatus', 'status': 'RUNNING'},
    {'id': 'x', 'type': 'Other', 'status': 'RUNNING'},
    {'id': 'x', 'type': 'TaskStatus', 'status': 'RUNNING', 'surprise': 1},
    {'id': 'x', 'type': 'TaskStatus', 'status': 'RUNNING', 'subTasks': [{'status': 'SUCCESS'}]},
    {'id': 'x', 'type': 'TaskStatus', 'status': 'RUNNING', 'subTasks': [{'status': 'SUCCESS', 'target': {'id': 'd'}}]},
    {'id': 'x', 'type': 'TaskStatus', 'status': 'RUNNING', 'taskType': 'NOT_A_TYPE'},
])
def test_strict_schema_rejects(schema, bad):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


@pytest.mark.skipif(not os.path.exists(API_DOC), reason='the API doc is not beside this checkout')
def test_strict_schema_is_derived_from_the_api_doc(schema):
    with open(API_DOC) as handle:
        doc = json.load(handle)
    source = doc['spec']['responses']['200']['content']['application/json']['schema']
    assert set(schema['properties']) == set(source['properties'])
    assert schema['properties']['taskType']['enum'] == source['properties']['taskType']['enum']
    assert set(schema['properties']['subTasks']['items']['properties']) == set(
        source['properties']['subTasks']['items']['properties'])


def test_timeline_and_detailed_status():
    clock = Clock()
    simulator = Simulator(SCENARIO, clock=clock)
    assert body(get(simulator, 'reg'))['status'] == 'Pending'
    # Other task types carry sub-tasks with or without the parameter; deployments only with it.
    assert 'subTasks' in body(get(simulator, 'reg', detailed=False))
    assert 'subTasks' not in body(get(simulator, 'dep', detailed=False))
    assert 'subTasks' in body(get(simulator, 'dep'))
    clock.now += 5
    assert body(get(simulator, 'reg'))['status'] == 'Success'


def test_auth_and_not_found_bodies():
    simulator = Simulator(SCENARIO)
    reply = get(simulator, 'reg', headers={'Authorization': 'Bearer wrong'})
    assert reply.status == 401 and body(reply)['error']['messages'][0]['description']
    reply = get(simulator, 'nope')
    assert reply.status == 404 and body(reply)['messages'][0]['description'] == 'Task nope not found.'
    reply = simulator.handle('GET', TASKS.replace(GLOBAL_DOMAIN_UUID, 'other') + 'reg', {}, AUTH, None)
    assert reply.status == 404


def test_deployment_goes_deploying_then_per_device_outcome():
    clock = Clock()
    simulator = Simulator(SCENARIO, clock=clock)
    reply = simulator.handle('POST', DEPLOY, {}, AUTH, {'type': 'DeploymentRequest', 'version': '1',
                                                        'forceDeploy': False, 'deviceList': ['d1', 'd2']})
    assert reply.status == 202
    task = body(reply)['metadata']['task']
    assert task['taskType'] == 'DEVICE_DEPLOYMENT' and body(reply)['deviceList'] == ['d1', 'd2']
    assert body(get(simulator, task['id']))['status'] == 'Deploying'
    clock.now += 1
    assert [s['status'] for s in body(get(simulator, task['id']))['subTasks']] == ['Deploying', 'Deploying']
    clock.now += 1
    final = body(get(simulator, task['id']))
    assert final['status'] == 'Failed'
    assert [(s['target']['name'], s['status'], s['message']) for s in final['subTasks']] == [
        ('ftd-1', 'Succeeded', 'Deployment succeeded'), ('ftd-2', 'Failed', 'boom')]


@pytest.mark.parametrize('request_body', [None, {'type': 'Other', 'deviceList': ['d1']},
                                          {'type': 'DeploymentRequest', 'deviceList': []},
                                          {'type': 'DeploymentRequest', 'deviceList': ['zz']}])
def test_bad_deployment_requests_are_400(request_body):
    reply = Simulator(SCENARIO).handle('POST', DEPLOY, {}, AUTH, request_body)
    assert reply.status == 400 and body(reply)['error']['category'] == 'VALIDATION'


def test_rate_limit_over_a_sliding_minute():
    clock = Clock()
    simulator = Simulator(dict(SCENARIO, rate_limit={'requests_per_minute': 3}), clock=clock)
    assert [get(simulator, task).status for task in ("reg",) * 4] == [200, 200, 200, 429]
    limited = get(simulator, 'reg')
    assert limited.headers['Retry-After'] == '60'
    clock.now += 60
    assert get(simulator, 'reg').status == 200
    simulator.load(dict(SCENARIO, rate_limit={'requests_per_minute': 1, 'retry_after': False}))
    get(simulator, 'reg')
    assert 'Retry-After' not in get(simulator, 'reg').headers


def test_faults_count_down_and_match():
    simulator = Simulator(dict(SCENARIO, faults=[
        {'match': {'path': '/reg'}, 'status': 503, 'retry_after': 2, 'times': 2},
        {'match': {'path': '/dep'}, 'action': 'drop'},
    ]))
    first = get(simulator, 'reg')
    assert (first.status, first.headers['Retry-After']) == (503, '2')
    assert get(simulator, 'reg').status == 503
    assert get(simulator, 'reg').status == 200
    assert get(simulator, 'dep').action == 'drop'
    assert get(simulator, 'dep').status == 200
    assert [r['status'] for r in simulator.request_log()] == [503, 503, 200, None, 200]


def test_a_task_can_be_invisible_at_first_and_deleted_later():
    clock = Clock()
    simulator = Simulator({'tasks': [
        {'id': 'late', 'hidden_for': 3, 'timeline': [{'at': 0, 'status': 'Running'}]},
        {'id': 'gone', 'deleted_at': 5, 'timeline': [{'at': 0, 'status': 'Success'}]},
    ]}, clock=clock)
    assert get(simulator, 'late').status == 404 and get(simulator, 'gone').status == 200
    clock.now += 3
    assert get(simulator, 'late').status == 200 and body(get(simulator, 'late'))['status'] == 'Running'
    clock.now += 2
    reply = get(simulator, 'gone')
    assert reply.status == 404 and body(reply)['messages'][0]['description'] == 'Task gone not found.'


def test_a_new_deployment_task_can_answer_404_at_first():
    clock = Clock()
    simulator = Simulator(dict(SCENARIO, deployment={'step_seconds': 1, 'hidden_seconds': 2}), clock=clock)
    reply = simulator.handle('POST', DEPLOY, {}, AUTH, {'type': 'DeploymentRequest', 'version': '1',
                                                        'deviceList': ['d1']})
    task = body(reply)['metadata']['task']
    # As FMC may, the echoed task carries a "status" that is no task state.
    assert reply.status == 202 and task['status'] == '200'
    assert get(simulator, task['id']).status == 404
    clock.now += 2
    assert get(simulator, task['id']).status == 200


FLEET = {
    'deployment': {'step_seconds': 1, 'list_lag': 2},
    'devices': [{'id': 'd1', 'name': 'ftd-1', 'pending': ['ACP'], 'traffic': 'YES'}, {'id': 'd2', 'name': 'ftd-2'},
                {'id': 'm1', 'name': 'ha-a'}, {'id': 'm2', 'name': 'ha-b'},
                {'id': 'w1', 'name': 'ftd-w', 'pending': ['ACP'], 'warnings': ['Rule 7 is shadowed']}],
    'ha_pairs': [{'id': 'ha', 'name': 'ftd-ha', 'primary': 'm1', 'secondary': 'm2', 'pending': ['HA-ACP']}],
}
CONFIG = '/api/fmc_config/v1/domain/%s' % GLOBAL_DOMAIN_UUID


EXPANDED = {'expanded': ['true']}


def read(simulator, rest, query=None):
    reply = simulator.handle('GET', CONFIG + rest, query or {}, AUTH, None)
    return reply.status, body(reply)


def deploy_request(simulator, devices, **extra):
    return simulator.handle('POST', DEPLOY, {}, AUTH, dict({'type': 'DeploymentRequest', 'version': '9999999999999',
                                                            'deviceList': devices}, **extra))


def test_the_fleet_lists_devices_pairs_and_what_is_deployable():
    simulator = Simulator(FLEET, clock=Clock())
    records = read(simulator, '/devices/devicerecords', EXPANDED)[1]['items']
    assert [d['name'] for d in records] == ['ftd-1', 'ftd-2', 'ha-a', 'ha-b', 'ftd-w']
    assert records[2]['metadata']['containerDetails'] == {'id': 'ha', 'name': 'ftd-ha', 'type': 'DeviceHAPair'}
    # HA pairs at Cisco's path; their members carry only an id.
    assert read(simulator, '/deviceha/ftddevicehapairs')[0] == 404
    (pair,) = read(simulator, '/devicehapairs/ftddevicehapairs', {'expanded': ['true']})[1]['items']
    assert pair['primary'] == {'id': 'm1'} and pair['secondary'] == {'id': 'm2'}
    items = read(simulator, '/deployment/deployabledevices', EXPANDED)[1]['items']
    assert [(i['device']['id'], i['device']['type']) for i in items] == [
        ('ha', 'DeviceHAPair'), ('d1', 'SENSOR'), ('w1', 'SENSOR')]
    assert [member['id'] for member in items[1]['deviceMembers']] == ['d1']  # a standalone device lists itself
    # Every policy is listed; the ones with changes are out of date and named, the others mostly unnamed.
    statuses = items[1]['policyStatusList']
    assert [(p['upToDate'], p['policy'].get('name')) for p in statuses] == [(True, None)] * 3 + [(False, 'ACP')]
    assert items[1]['trafficInterruption'] == 'YES'
    # Without expanded=true, FMC's lists name their items and say nothing more.
    summary = read(simulator, '/deployment/deployabledevices')[1]['items']
    assert [sorted(item) for item in summary] == [['name', 'type']] * 3
    # An empty list has no items, as FMC's.
    assert 'items' not in read(simulator, '/deviceclusters/ftddevicecluster')[1]


@pytest.mark.parametrize('shape,control,data', [
    ('7.x', 'controlDevice', 'dataDevices'), ('6.x', 'masterDevice', 'slaveDevices')])
def test_clusters_are_listed_as_fmc_7_and_6_list_them(shape, control, data):
    scenario = dict(FLEET, cluster_shape=shape,
                    clusters=[{'id': 'cl', 'name': 'ftd-cl', 'control': 'd2', 'data': ['m1']}],
                    ha_pairs=[])
    (cluster,) = read(Simulator(scenario, clock=Clock()), '/deviceclusters/ftddevicecluster', EXPANDED)[1]['items']
    assert control in cluster and data in cluster and cluster['type'] == 'DeviceCluster'
    member = cluster[data][0].get('deviceDetails', cluster[data][0])
    assert member['id'] == 'm1' and ('name' in member) is (shape == '7.x')


def test_paging_one_item_a_page_with_counts_as_text():
    simulator = Simulator(dict(FLEET, paging={'max_limit': 1, 'counts_as_text': True}), clock=Clock())
    status, page = read(simulator, '/devices/devicerecords', {'offset': ['2'], 'limit': ['1000']})
    assert status == 200 and [d['id'] for d in page['items']] == ['m1']
    assert page['paging'] == {'offset': '2', 'limit': '1', 'count': '5', 'pages': '5'}


def test_an_older_fmc_has_no_job_history_and_refuses_parameters_on_task_statuses():
    simulator = Simulator(dict(SCENARIO, job_history=False, task_query_parameters=False), clock=Clock())
    assert read(simulator, '/deployment/jobhistories')[0] == 404
    assert get(simulator, 'dep').status == 400 and get(simulator, 'dep', detailed=False).status == 200


def test_job_history_is_written_as_fmc_writes_it():
    clock = Clock()
    simulator = Simulator(FLEET, clock=clock)
    assert deploy_request(simulator, ['d1'], deploymentNote='Change 7').status == 202
    jobs = read(simulator, '/deployment/jobhistories', EXPANDED)[1]['items']
    assert [(job['jobType'], job['jobStatus']) for job in jobs] == [
        ('DEPLOYMENT', 'DEPLOYING'), ('UNKNOWN', 'DEPLOYED')]
    assert 'deviceList' not in jobs[1] and 'endTime' not in jobs[0]
    assert re.match(r'\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\Z', jobs[0]['startTime'])
    assert jobs[0]['deploymentNote'] == 'Change 7' and jobs[0]['deviceList'][0]['deploymentStatus'] == 'DEPLOYING'
    clock.now += 2
    (job,) = [job for job in read(simulator, '/deployment/jobhistories', EXPANDED)[1]['items']
              if job['jobType'] != 'UNKNOWN']
    assert job['jobStatus'] == 'Deployed' and job['endTime'] >= job['startTime']  # mixed case, as Cisco's example
    assert job['deviceList'] == [{'deviceUUID': 'd1', 'deviceName': 'ftd-1', 'deploymentStatus': 'SUCCEEDED',
                                  'deployedVersion': 2}]  # a per-device counter, not a time
    # The filter: startTime and endTime only together, in seconds; deviceUUID.
    assert read(simulator, '/deployment/jobhistories', {'filter': ['startTime:1']})[0] == 400
    now = int(time.time())
    window = {'filter': ['startTime:%d;endTime:%d' % (now - 60, now + 60)], 'expanded': ['true']}
    assert [job['jobType'] for job in read(simulator, '/deployment/jobhistories', window)[1]['items']] == ['DEPLOYMENT']
    assert 'items' not in read(simulator, '/deployment/jobhistories', {'filter': ['deviceUUID:d2']})[1]


def test_a_deployment_runs_then_its_devices_leave_the_list_after_the_lag():
    clock = Clock()
    simulator = Simulator(FLEET, clock=clock)
    reply = deploy_request(simulator, ['d1'])
    assert reply.status == 202
    listed = read(simulator, '/deployment/deployabledevices', EXPANDED)[1]['items']
    assert [(i['isDeploying'], i['canBeDeployed']) for i in listed if i['device']['id'] == 'd1'] == [(True, True)]
    assert deploy_request(simulator, ['d1']).status == 400  # in progress
    clock.now += 2  # the deployment has ended; the list lags it
    assert list(pending_policies(simulator)) == ['ha', 'd1', 'w1']
    clock.now += 2
    assert list(pending_policies(simulator)) == ['ha', 'w1']
    # A pair's job lists its members, each with the pair as its container.
    assert deploy_request(simulator, ['ha']).status == 202
    (job,) = read_jobs(simulator, 'jobType:DEPLOYMENT;status:DEPLOYING')
    assert [(e['deviceUUID'], e['containerUUID'], e['deploymentStatus']) for e in job['deviceList']] == [
        ('m1', 'ha', 'DEPLOYING'), ('m2', 'ha', 'DEPLOYING')]


def test_refusals_members_warnings_and_changes():
    clock = Clock()
    simulator = Simulator(FLEET, clock=clock)
    member = deploy_request(simulator, ['m1'])
    assert member.status == 400 and 'member of ftd-ha' in body(member)['error']['messages'][0]['description']
    warned = deploy_request(simulator, ['w1'])
    messages = [m['description'] for m in body(warned)['error']['messages']]
    assert warned.status == 500 and body(warned)['error']['category'] == 'VALIDATION'
    assert messages == ['Errors or warnings present in Device committed policies:', 'Rule 7 is shadowed']
    assert deploy_request(simulator, ['w1'], ignoreWarning=True).status == 202
    simulator.change('d2', {'policy': 'New-ACP', 'changes': [{'name': 'r1', 'type': 'AccessRule', 'action': 'ADD'}]})
    assert 'd2' not in pending_policies(simulator)
    clock.now += 2
    (change,) = read(simulator, '/deployment/deployabledevices/d2/pendingchanges', EXPANDED)[1]['items']
    assert (change['action'], change['entityName'], change['entityType']) == ('add', 'r1', 'AccessRule')


# Rollback ---------------------------------------------------------------------------------------------------------

ROLLBACK = '/api/fmc_config/v1/domain/%s/deployment/rollbackrequests' % GLOBAL_DOMAIN_UUID
JOBS = '/deployment/jobhistories'
ROLLBACK_FLEET = {
    'deployment': {'step_seconds': 1, 'list_lag': 2},
    'devices': [{'id': 'd1', 'name': 'ftd-1'},
                {'id': 'd2', 'name': 'ftd-2', 'rollback_outcome': 'failed', 'rollback_message': 'Device unreachable'},
                {'id': 'd3', 'name': 'ftd-3', 'can_rollback': False},
                {'id': 'm1', 'name': 'ha-a'}, {'id': 'm2', 'name': 'ha-b'}],
    'ha_pairs': [{'id': 'ha', 'name': 'ftd-ha', 'primary': 'm1', 'secondary': 'm2'}],
    'history': [
        {'units': ['d1', 'ha'], 'note': 'Change 1'},                                     # Deploy_Job_1
        {'units': ['d1', 'd2', 'd3'], 'note': 'Change 2', 'outcomes': {'d2': 'failed'}},  # Deploy_Job_2
        {'units': ['d1', 'd2', 'd3', 'ha'], 'user': 'jdoe'},                              # Deploy_Job_3
    ],
}


def job_id(number):
    return '0050568B-9937-0ed3-0000-%012d' % number


def roll_back(simulator, *entries):
    """POST a RollbackRequest of (job number, [device ids]) entries."""
    return simulator.handle('POST', ROLLBACK, {}, AUTH, {'type': 'RollbackRequest', 'rollbackDeviceList': [
        {'deploymentJobId': job_id(number), 'deviceList': devices} for number, devices in entries]})


def refusal(reply):
    assert reply.status == 400 and body(reply)['error']['category'] == 'VALIDATION', reply.status
    (message,) = body(reply)['error']['messages']
    return message['description']


def read_jobs(simulator, filter_text=None):
    query = dict(EXPANDED, filter=[filter_text]) if filter_text else EXPANDED
    return read(simulator, JOBS, query)[1].get('items', [])


def pending_policies(simulator):
    """{unit id: the policies the deployable list shows out of date} of each unit it lists."""
    return dict((item['device']['id'], [p['policy']['name'] for p in item['policyStatusList'] if not p['upToDate']])
                for item in read(simulator, '/deployment/deployabledevices', EXPANDED)[1].get('items', []))


@pytest.fixture
def contract():
    from cdfmc_contract import Contract
    return Contract.load()


def on_contract(contract, simulator):
    """Every answer the simulator gave, held to Cisco's description; and every rollback request it was sent."""
    problems = contract.problems_in(simulator.answers())
    problems += [problem for record in simulator.request_log() if record['path'] == ROLLBACK
                 for problem in contract.check_request('POST', ROLLBACK, record['body'])]
    assert not problems, '\n'.join(problems)


def test_seeded_history_ran_before_the_scenario_one_job_a_minute(contract):
    simulator = Simulator(dict(ROLLBACK_FLEET, devices=ROLLBACK_FLEET['devices'] + [
        {'id': 'd4', 'name': 'ftd-4', 'pending': [{'policy': 'Old-ACP', 'version': 1767261600000}]}]), clock=Clock())
    history = [job for job in read_jobs(simulator) if job['jobType'] != 'UNKNOWN']
    assert [(job['id'], job['jobName'], job['deploymentNote'], job['user']) for job in history] == [
        (job_id(3), 'Deploy_Job_3', '', 'jdoe'), (job_id(2), 'Deploy_Job_2', 'Change 2', 'admin'),
        (job_id(1), 'Deploy_Job_1', 'Change 1', 'admin')]
    starts = [calendar.timegm(time.strptime(job['startTime'], '%Y-%m-%dT%H:%M:%SZ')) for job in history]
    assert starts[0] - starts[1] == starts[1] - starts[2] == 60
    # All of it before the oldest pending change (2026-01-01 10:00 UTC): that change stays pending, as do the others.
    assert history[0]['endTime'] < '2026-01-01T10:00:00Z' and pending_policies(simulator) == {'d4': ['Old-ACP']}
    assert [(e['deviceUUID'], e['deploymentStatus'], e['deployedVersion']) for e in history[1]['deviceList']] == [
        ('d1', 'SUCCEEDED', 3), ('d2', 'FAILED', 1), ('d3', 'SUCCEEDED', 2)]
    with pytest.raises(ValueError, match='history entry 1: units'):
        Simulator(dict(ROLLBACK_FLEET, history=[{'units': ['m1']}]))  # a member: its pair is what is deployed
    on_contract(contract, simulator)


def test_a_rollback_is_a_device_rollback_task_with_one_sub_task_per_unit(contract):
    clock = Clock()
    simulator = Simulator(ROLLBACK_FLEET, clock=clock)
    reply = roll_back(simulator, (1, ['d1', 'm1', 'm2']))
    assert reply.status == 202
    answer = body(reply)
    task = answer.pop('metadata')['task']
    assert answer == {'type': 'RollbackRequest', 'rollbackDeviceList': [
        {'deploymentJobId': job_id(1), 'deviceList': ['d1', 'm1', 'm2']}]}
    assert (task['type'], task['taskType']) == ('TaskStatus', 'DEVICE_ROLLBACK')
    assert task['links']['self'].endswith('/job/taskstatuses/' + task['id'])
    running = body(get(simulator, task['id']))
    assert (running['status'], running['taskType']) == ('Running', 'DEVICE_ROLLBACK')
    assert [(s['target']['id'], s['target']['type'], s['status']) for s in running['subTasks']] == [
        ('d1', 'Device', 'Pending'), ('ha', 'DeviceHAPair', 'Pending')]
    (job,) = read_jobs(simulator, 'jobType:ROLLBACK')
    assert (job['jobStatus'], job['jobName'], job['user'], job['deploymentNote']) == (
        'DEPLOYING', 'Deploy_Job_4', 'automation', '')
    clock.now += 2
    done = body(get(simulator, task['id']))
    assert done['status'] == 'Succeeded' and [s['status'] for s in done['subTasks']] == ['Succeeded'] * 2
    (job,) = read_jobs(simulator, 'jobType:ROLLBACK')
    assert job['jobStatus'] == 'Deployed' and job['endTime'] >= job['startTime']
    assert [(e['deviceUUID'], e.get('containerUUID'), e['deploymentStatus'], e['deployedVersion'])
            for e in job['deviceList']] == [('d1', None, 'SUCCEEDED', -1), ('m1', 'ha', 'SUCCEEDED', -1),
                                            ('m2', 'ha', 'SUCCEEDED', -1)]
    assert job['deviceList'][1]['containerName'] == 'ftd-ha'
    assert simulator.request_log()[0]['body']['type'] == 'RollbackRequest'
    on_contract(contract, simulator)


def test_a_rollback_without_a_task_answers_as_ciscos_example_and_still_runs(contract):
    clock = Clock()
    simulator = Simulator(dict(ROLLBACK_FLEET, rollback={'task': False}), clock=clock)
    reply = roll_back(simulator, (2, ['d1']))
    assert reply.status == 202 and 'metadata' not in body(reply)
    assert [job['jobStatus'] for job in read_jobs(simulator, 'jobType:ROLLBACK')] == ['DEPLOYING']
    clock.now += 2
    assert [job['jobStatus'] for job in read_jobs(simulator, 'jobType:ROLLBACK')] == ['Deployed']
    on_contract(contract, simulator)


def test_read_with_rollback_applicable_lists_deployments_as_ciscos_second_example(contract):
    clock = Clock()
    simulator = Simulator(ROLLBACK_FLEET, clock=clock)
    assert roll_back(simulator, (3, ['d1'])).status == 202
    clock.now += 2
    applicable = read_jobs(simulator, 'rollbackApplicable:true')
    assert [job['jobName'] for job in applicable] == ['Deploy_Job_3', 'Deploy_Job_2', 'Deploy_Job_1']  # no ROLLBACK
    assert all(sorted(job) == ['deviceList', 'id', 'jobName', 'jobType', 'type'] for job in applicable)
    assert [(e['deviceUUID'], e['canRollback']) for e in applicable[1]['deviceList']] == [
        ('d1', True), ('d2', False), ('d3', False)]  # ftd-2 failed in it; ftd-3 does not support rollback
    assert applicable[0]['deviceList'][3] == {'deviceUUID': 'm1', 'deviceName': 'ha-a', 'containerUUID': 'ha',
                                              'containerName': 'ftd-ha', 'canRollback': True}
    # With deviceUUID (a member's id, as job history names it); rollbackApplicable:false reads as no filter.
    assert [job['jobName'] for job in read_jobs(simulator, 'deviceUUID:m2;rollbackApplicable:true')] == [
        'Deploy_Job_3', 'Deploy_Job_1']
    plain = read_jobs(simulator, 'rollbackApplicable:false')
    assert plain == read_jobs(simulator) and plain[0]['jobType'] == 'ROLLBACK'
    assert not any('canRollback' in entry for job in plain for entry in job.get('deviceList', []))
    on_contract(contract, simulator)


def test_only_the_last_ten_deployments_can_be_rolled_back_to(contract):
    clock = Clock()
    simulator = Simulator(dict(ROLLBACK_FLEET, history=[{'units': ['d1'], 'note': 'n%d' % n} for n in range(1, 13)]),
                          clock=clock)
    flags = [(job['jobName'], job['deviceList'][0]['canRollback'])
             for job in read_jobs(simulator, 'rollbackApplicable:true')]
    assert flags == [('Deploy_Job_%d' % n, n > 2) for n in range(12, 0, -1)]  # the newest, the running one, too
    assert refusal(roll_back(simulator, (2, ['d1']))) == (
        'Rollback is possible only to one of the last ten configurations of device ftd-1: Deploy_Job_2 is older.')
    assert roll_back(simulator, (3, ['d1'])).status == 202
    on_contract(contract, simulator)


def test_a_second_rollback_waits_for_a_deployment(contract):
    clock = Clock()
    simulator = Simulator(ROLLBACK_FLEET, clock=clock)
    assert roll_back(simulator, (1, ['d1'])).status == 202
    clock.now += 2
    assert refusal(roll_back(simulator, (3, ['d1']))) == (
        'Rollback is allowed only after a new deployment to the device. Device ftd-1 was rolled back by Deploy_Job_4.')
    assert roll_back(simulator, (3, ['m1', 'm2'])).status == 202  # the pair was not rolled back
    assert deploy_request(simulator, ['d1']).status == 202
    clock.now += 2
    assert roll_back(simulator, (3, ['d1'])).status == 202
    # A seeded rollback counts too.
    seeded = Simulator(dict(ROLLBACK_FLEET, history=ROLLBACK_FLEET['history'] + [
        {'type': 'ROLLBACK', 'units': ['d1'], 'target': 1}]), clock=Clock())
    assert refusal(roll_back(seeded, (2, ['d1']))).startswith('Rollback is allowed only after a new deployment')
    on_contract(contract, simulator)


@pytest.mark.parametrize('entries, message', [
    ([(1, ['ha'])], 'Device ha is not part of deployment job Deploy_Job_1. Name the devices of ftd-ha (m1, m2), '
                    'as job history lists them.'),
    ([(3, ['m1'])], 'The devices of ftd-ha (m1, m2) must be rolled back together.'),
    ([(1, ['d2'])], 'Device d2 is not part of deployment job Deploy_Job_1.'),
    ([(9, ['d1'])], 'Deployment job %s not found.' % job_id(9)),
    ([(2, ['d2'])], 'Device ftd-2 did not deploy successfully in Deploy_Job_2: '
                    'there is no configuration to return to.'),
    ([(3, ['d3'])], 'Rollback is not supported for device ftd-3.'),
    ([(3, ['d1']), (3, ['m1', 'm2', 'd3'])], 'Rollback is not supported for device ftd-3.'),
    ([(1, ['d1']), (3, ['d1'])], 'Device ftd-1 is named more than once: a device is rolled back to one job.'),
], ids=['container-id', 'half-a-pair', 'not-in-the-job', 'unknown-job', 'failed-in-the-job', 'not-supported',
        'one-refusal-refuses-all', 'two-jobs-for-one-device'])
def test_a_refused_rollback_changes_nothing(contract, entries, message):
    simulator = Simulator(ROLLBACK_FLEET, clock=Clock())
    before = read_jobs(simulator)
    assert refusal(roll_back(simulator, *entries)) == message
    assert read_jobs(simulator) == before and simulator.tasks == {}
    on_contract(contract, simulator)


@pytest.mark.parametrize('request_body', [
    None, [], {'type': 'DeploymentRequest', 'rollbackDeviceList': []}, {'type': 'RollbackRequest'},
    {'type': 'RollbackRequest', 'rollbackDeviceList': []},
    {'type': 'RollbackRequest', 'rollbackDeviceList': [{'deploymentJobId': job_id(1)}]},
    {'type': 'RollbackRequest', 'rollbackDeviceList': [{'deploymentJobId': job_id(1), 'deviceList': []}]},
    {'type': 'RollbackRequest', 'rollbackDeviceList': [{'deploymentJobId': 1, 'deviceList': ['d1']}]},
], ids=['no-body', 'not-an-object', 'wrong-type', 'no-list', 'empty-list', 'no-devices', 'empty-devices',
        'id-not-text'])
def test_a_malformed_rollback_request_is_400(request_body):
    simulator = Simulator(ROLLBACK_FLEET, clock=Clock())
    assert refusal(simulator.handle('POST', ROLLBACK, {}, AUTH, request_body))
    assert len(read_jobs(simulator)) == 4


def test_a_rollback_to_a_rollback_job_is_refused():
    clock = Clock()
    simulator = Simulator(ROLLBACK_FLEET, clock=clock)
    assert roll_back(simulator, (1, ['d1'])).status == 202
    clock.now += 2
    assert refusal(roll_back(simulator, (4, ['d1']))) == (
        'Deploy_Job_4 is a ROLLBACK job: only a deployment job can be rolled back to.')


def test_another_administrators_deployment_can_start_later_and_is_listed_from_then_on(contract):
    clock = Clock()
    simulator = Simulator(dict(ROLLBACK_FLEET, deploying=[{'units': ['d1'], 'after': 10, 'seconds': 5}]), clock=clock)

    def listed():
        return [(job['id'], job['jobStatus']) for job in read_jobs(simulator) if job['jobType'] == 'DEPLOYMENT'
                and job['user'] == 'another-admin']

    assert listed() == []  # not started: not in job history, and not a job a rollback can name
    assert refusal(roll_back(simulator, (4, ['d1']))) == 'Deployment job %s not found.' % job_id(4)
    clock.now += 10
    assert listed() == [(job_id(4), 'DEPLOYING')] and refusal(deploy_request(simulator, ['d1'])).startswith('Cannot')
    clock.now += 5
    assert listed() == [(job_id(4), 'Deployed')]
    on_contract(contract, simulator)


def test_a_device_that_deploys_or_rolls_back_is_refused(contract):
    clock = Clock()
    in_progress = 'Cannot perform deployment to the device, as another deployment is in progress for the device.'
    simulator = Simulator(dict(ROLLBACK_FLEET, deploying=[{'units': ['d1'], 'seconds': 5}]), clock=clock)
    assert refusal(roll_back(simulator, (3, ['d1']))) == in_progress
    assert roll_back(simulator, (3, ['m1', 'm2'])).status == 202
    # While the pair rolls back: another rollback of it, or a deployment, is refused in the same words.
    assert refusal(roll_back(simulator, (1, ['m1', 'm2']))) == in_progress
    assert refusal(deploy_request(simulator, ['ha'])) == in_progress
    clock.now += 5
    assert roll_back(simulator, (3, ['d1'])).status == 202
    on_contract(contract, simulator)


def test_a_unit_whose_rollback_fails_keeps_its_configuration(contract):
    clock = Clock()
    simulator = Simulator(ROLLBACK_FLEET, clock=clock)
    task = body(roll_back(simulator, (1, ['d1']), (3, ['d2'])))['metadata']['task']
    clock.now += 4
    done = body(get(simulator, task['id']))
    assert (done['status'], done['message']) == ('Failed', 'Rollback failed on 1 device(s)')
    assert [(s['target']['name'], s['status'], s['message']) for s in done['subTasks']] == [
        ('ftd-1', 'Succeeded', 'Rollback succeeded'), ('ftd-2', 'Failed', 'Device unreachable')]
    (job,) = read_jobs(simulator, 'jobType:ROLLBACK')
    assert job['jobStatus'] == 'FAILED'
    assert [(e['deviceUUID'], e['deploymentStatus']) for e in job['deviceList']] == [
        ('d1', 'SUCCEEDED'), ('d2', 'FAILED')]
    # ftd-2 runs what Deploy_Job_3 gave it: nothing listed; and it can be rolled back again.
    assert pending_policies(simulator) == {'d1': ['Deploy_Job_2-Policy', 'Deploy_Job_3-Policy']}
    assert roll_back(simulator, (3, ['d2'])).status == 202
    on_contract(contract, simulator)


def test_after_a_rollback_the_deployable_list_shows_what_it_undid(contract):
    clock = Clock()
    simulator = Simulator(ROLLBACK_FLEET, clock=clock)
    simulator.change('d1', {'policy': 'New-ACP'})
    clock.now += 2
    assert pending_policies(simulator) == {'d1': ['New-ACP']}
    version = read(simulator, '/deployment/deployabledevices', EXPANDED)[1]['items'][0]['version']
    assert deploy_request(simulator, ['d1'], version=version).status == 202  # Deploy_Job_4
    clock.now += 4
    assert pending_policies(simulator) == {}
    assert roll_back(simulator, (2, ['d1'])).status == 202
    clock.now += 2
    assert pending_policies(simulator) == {}  # the rollback has ended: the list catches up list_lag seconds later
    clock.now += 2
    assert pending_policies(simulator) == {'d1': ['Deploy_Job_3-Policy', 'New-ACP']}  # what Deploy_Job_3 and 4 deployed
    (item,) = read(simulator, '/deployment/deployabledevices', EXPANDED)[1]['items']
    assert (item['version'], item['upToDate'], item['isDeploying']) == (version, False, False)
    assert deploy_request(simulator, ['d1'], version=item['version']).status == 202
    clock.now += 4
    assert pending_policies(simulator) == {}
    on_contract(contract, simulator)


def test_a_rollback_over_http(contract):
    from cdfmc_simulator.server import serve_in_thread
    server, url = serve_in_thread(scenario=ROLLBACK_FLEET)
    try:
        payload = json.dumps({'type': 'RollbackRequest', 'rollbackDeviceList': [
            {'deploymentJobId': job_id(3), 'deviceList': ['m2', 'm1']}]}).encode()
        request = urllib.request.Request(url + ROLLBACK, data=payload, method='POST', headers=dict(
            AUTH, **{'Content-Type': 'application/json'}))
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 202 and json.load(answer)['metadata']['task']['taskType'] == 'DEVICE_ROLLBACK'
        on_contract(contract, server.simulator)
    finally:
        server.shutdown()
        server.server_close()
