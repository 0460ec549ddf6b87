# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator itself: its answers fit a strict schema derived from the API doc, and it behaves as scripted."""

import json
import os
import re
import time

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
    deployed = body(simulator.handle('POST', DEPLOY, {}, AUTH, {'type': 'DeploymentRequest', 'deviceList': ['d1', 'd2']}))
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
    scenario = dict(FLEET, cluster_shape=shape, clusters=[{'id': 'cl', 'name': 'ftd-cl', 'control': 'd2', 'data': ['m1']}],
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
    assert [(job['jobType'], job['jobStatus']) for job in jobs] == [('DEPLOYMENT', 'DEPLOYING'), ('UNKNOWN', 'DEPLOYED')]
    assert 'deviceList' not in jobs[1] and 'endTime' not in jobs[0]
    assert re.match(r'\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\Z', jobs[0]['startTime'])
    assert jobs[0]['deploymentNote'] == 'Change 7' and jobs[0]['deviceList'][0]['deploymentStatus'] == 'DEPLOYING'
    clock.now += 2
    (job,) = [job for job in read(simulator, '/deployment/jobhistories', EXPANDED)[1]['items'] if job['jobType'] != 'UNKNOWN']
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
    assert [i['device']['id'] for i in read(simulator, '/deployment/deployabledevices', EXPANDED)[1]['items']] == ['ha', 'd1', 'w1']
    clock.now += 2
    assert [i['device']['id'] for i in read(simulator, '/deployment/deployabledevices', EXPANDED)[1]['items']] == ['ha', 'w1']
    # A pair's job lists its members, each with the pair as its container.
    assert deploy_request(simulator, ['ha']).status == 202
    jobs = read(simulator, '/deployment/jobhistories', dict(EXPANDED, filter=['jobType:DEPLOYMENT;status:DEPLOYING']))[1]
    assert [(e['deviceUUID'], e['containerUUID'], e['deploymentStatus']) for e in jobs['items'][0]['deviceList']] == [
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
    assert 'd2' not in [i['device']['id'] for i in read(simulator, '/deployment/deployabledevices', EXPANDED)[1].get('items', [])]
    clock.now += 2
    (change,) = read(simulator, '/deployment/deployabledevices/d2/pendingchanges', EXPANDED)[1]['items']
    assert (change['action'], change['entityName'], change['entityType']) == ('add', 'r1', 'AccessRule')
