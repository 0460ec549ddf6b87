# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The contract (Cisco's API description, loosened by its rules and deviations.yml) and the simulator held to it."""

import json
import os
import subprocess
import sys

import pytest

from cdfmc_contract import API_FILE, Contract, LooseValidator, load_deviations
from cdfmc_simulator.api import GLOBAL_DOMAIN_UUID, Simulator

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMAS = os.path.join(HERE, 'schemas')
# Cisco's files, where a maintainer keeps them beside the checkout (not part of the project).
CISCO_API = os.path.join(HERE, '..', '..', '..', 'shared', 'api')
CONFIG = '/api/fmc_config/v1/domain/%s' % GLOBAL_DOMAIN_UUID
GATEWAY = '/firewall/v1/cdfmc/api/fmc_config/v1/domain/%s' % GLOBAL_DOMAIN_UUID
AUTH = {'Authorization': 'Bearer sim-token'}


def _json(name):
    with open(os.path.join(SCHEMAS, name)) as handle:
        return json.load(handle)


EXAMPLES = _json('cisco_examples.json')['examples']


def example_problems(contract, example):
    if example['kind'] == 'request':
        return contract.check_request(example['method'], example['path'], example['body'])
    return contract.check(example['method'], example['path'], example['status'], example['body'])


@pytest.fixture(scope='module')
def contract():
    return Contract.load()


@pytest.mark.parametrize('example', EXAMPLES, ids=[example['name'] for example in EXAMPLES])
def test_each_cisco_example_keeps_the_contract(contract, example):
    assert example_problems(contract, example) == []


def job_histories(**job):
    return {'items': [dict({'id': 'job-1', 'type': 'JobHistory', 'jobStatus': 'DEPLOYED'}, **job)],
            'paging': {'offset': 0, 'limit': 25, 'count': 1, 'pages': 1}}


def check_jobs(contract, body, query=None):
    return contract.check('GET', GATEWAY + '/deployment/jobhistories', 200, body, query)


@pytest.mark.parametrize('body, field', [
    (job_histories(deviceList='dev-1'), '/$defs/JobHistory/properties/deviceList at $.items[0].deviceList'),
    (dict(job_histories(), paging={'count': {}}), '/$defs/PagingContainer/properties/count at $.paging.count'),
    (job_histories(startTime=1764672000), '/$defs/JobHistory/properties/startTime at $.items[0].startTime'),
    (job_histories(jobStatus=3), '/$defs/JobHistory/properties/jobStatus at $.items[0].jobStatus'),
    (job_histories(deviceList=[{'deployedVersion': '12a'}]),
     '/$defs/IDeviceListEntry/properties/deployedVersion at $.items[0].deviceList[0].deployedVersion'),
], ids=['list-as-string', 'integer-as-object', 'string-as-integer', 'enum-field-as-integer', 'not-a-numeric-string'])
def test_a_wrong_type_is_caught_and_named(contract, body, field):
    (problem,) = check_jobs(contract, body)
    assert problem.startswith(field + ': '), problem


def test_a_wrong_type_deep_in_a_list_is_caught(contract):
    body = {'items': [{'type': 'DeployableDevice', 'policyStatusList': [{'upToDate': []}]}]}
    (problem,) = contract.check('GET', CONFIG + '/deployment/deployabledevices', 200, body)
    assert problem == '/$defs/IPolicyStatus/properties/upToDate at $.items[0].policyStatusList[0].upToDate: ' \
                      '[] is not of type boolean'


def test_numeric_and_boolean_strings_pass(contract):
    assert check_jobs(contract, dict(job_histories(), paging={'count': '3', 'offset': '-0', 'limit': '+25'})) == []
    assert check_jobs(contract, job_histories(deviceList=[{'deployedVersion': '1764672000000'}])) == []
    body = {'items': [{'canBeDeployed': 'TRUE', 'isDeploying': 'false', 'policyStatusList': [{'upToDate': 'False'}]}]}
    assert contract.check('GET', CONFIG + '/deployment/deployabledevices', 200, body) == []
    assert check_jobs(contract, job_histories(deviceList=[{'canRollback': 'yes'}])) != []


def test_enums_are_open_whatever_the_case(contract):
    assert check_jobs(contract, job_histories(jobStatus='deployed', jobType='SOMETHING_NEW')) == []
    assert LooseValidator({'type': 'string', 'enum': ['A']}).is_valid('b')


def test_nothing_is_required(contract):
    # Cisco requires ftdHABootstrap, primary and secondary of an HA pair; the contract does not.
    assert contract.check('GET', CONFIG + '/devicehapairs/ftddevicehapairs/ha-1', 200, {'id': 'ha-1'}) == []
    assert LooseValidator({'type': 'object', 'required': ['id']}).is_valid({})


def test_a_path_cisco_does_not_describe_is_not_checked(contract):
    assert contract.check('GET', '/api/fmc_platform/v1/info/domain', 200, {'items': 'odd'}) is None
    assert contract.check_query('GET', '/api/fmc_platform/v1/info/domain', {'odd': ['1']}) is None
    assert contract.check('DELETE', CONFIG + '/job/taskstatuses/t1', 405, None) is None
    answer = {'method': 'GET', 'path': CONFIG + '/deviceha/ftddevicehapairs', 'status': 200, 'body': {}}
    assert contract.check_answer(answer) == ['not a path Cisco describes']
    assert contract.check_answer(dict(answer, path='/api/fmc_platform/v1/info/domain')) == []


def test_an_undocumented_query_parameter_is_reported(contract):
    query = {'filter': ['jobType:DEPLOYMENT'], 'expanded': ['true'], 'sort': ['startTime']}
    assert contract.check_query('GET', GATEWAY + '/deployment/jobhistories', query) == [
        'query parameter sort is not documented for getJobHistory']
    assert check_jobs(contract, job_histories(), query) == ['query parameter sort is not documented for getJobHistory']
    assert contract.check_query('GET', CONFIG + '/job/taskstatuses/t1', {'showDetailedDeviceStatus': ['true']}) == []


def test_statuses_use_their_own_schema_else_default_for_errors(contract):
    error = {'category': 'OTHER', 'messages': [{'description': 'No such task'}], 'severity': 'ERROR'}
    assert contract.check('GET', CONFIG + '/job/taskstatuses/t1', 404, error) == []
    assert contract.check('GET', CONFIG + '/job/taskstatuses/t1', 404, dict(error, messages='gone')) != []
    assert contract.check('GET', CONFIG + '/job/taskstatuses/t1', 204, None) == [
        'HTTP 204: no answer documented for getTaskStatus']


def test_each_deviation_says_what_and_why():
    for deviation in load_deviations():
        assert set(deviation) == {'field', 'cisco_says', 'accepted', 'kind', 'reason'}, deviation
        assert deviation['kind'] in ('example', 'simulator') and len(deviation['reason']) > 20, deviation


@pytest.mark.parametrize('index', range(len(load_deviations())), ids=[d['field'] for d in load_deviations()])
def test_each_deviation_from_an_example_is_still_needed(index):
    deviations = load_deviations()
    if deviations[index]['kind'] != 'example':
        pytest.skip('not an example conflict: %s' % deviations[index]['reason'])
    with open(API_FILE) as handle:
        without = Contract(json.load(handle), deviations[:index] + deviations[index + 1:])
    assert any(example_problems(without, example) for example in EXAMPLES), deviations[index]


@pytest.mark.skipif(not os.path.isdir(CISCO_API), reason="Cisco's API description is not beside this checkout "
                    "(../shared/api): the committed files cannot be compared with a fresh run of make_fmc_api.py")
def test_the_generator_reproduces_the_committed_files(tmp_path):
    subprocess.run([sys.executable, os.path.join(SCHEMAS, 'make_fmc_api.py'),
                    os.path.join(CISCO_API, 'fmc-openapi-deploy.json'), os.path.join(CISCO_API, 'getTaskStatus.json'),
                    '--out', str(tmp_path)], check=True)
    for name in ('fmc_api.json', 'cisco_examples.json'):
        with open(os.path.join(SCHEMAS, name), 'rb') as committed:
            assert (tmp_path / name).read_bytes() == committed.read(), name


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_the_simulator_keeps_each_distinct_answer_across_scenarios():
    scenario = {'tasks': [{'id': 't1', 'timeline': [{'at': 0, 'status': 'Pending'}]}],
                'faults': [{'match': {'path': '/broken'}, 'status': 500, 'times': None}]}
    simulator = Simulator(scenario, clock=Clock())
    for task_id in ('t1', 't1', 'broken'):
        simulator.handle('GET', GATEWAY + '/job/taskstatuses/' + task_id, {}, AUTH, None)
    simulator.load({})
    simulator.handle('GET', GATEWAY + '/job/taskstatuses/t1', {}, AUTH, None)
    answers = simulator.answers()
    assert [(answer['path'].rsplit('/', 1)[1], answer['status'], answer['fault']) for answer in answers] == [
        ('t1', 200, False), ('broken', 500, True), ('t1', 404, False)]
    assert answers[0]['body']['status'] == 'Pending' and 'body' not in answers[1]


FLEET = {
    'deployment': {'step_seconds': 1.0},
    'devices': [{'id': 'dev-1', 'name': 'ftd-1', 'pending': ['Branch-ACP']},
                {'id': 'dev-4', 'name': 'ftd-ha-a'}, {'id': 'dev-5', 'name': 'ftd-ha-b'},
                {'id': 'dev-6', 'name': 'ftd-c1'}, {'id': 'dev-7', 'name': 'ftd-c2'}],
    'ha_pairs': [{'id': 'ha-1', 'name': 'ftd-ha', 'primary': 'dev-4', 'secondary': 'dev-5', 'pending': ['HA-ACP']}],
    'clusters': [{'id': 'cl-1', 'name': 'ftd-cluster', 'control': 'dev-6', 'data': ['dev-7'],
                  'pending': ['Cluster-ACP']}],
}
EXPANDED = {'expanded': ['true']}
READS = [
    ('/devices/devicerecords', {}), ('/devices/devicerecords', EXPANDED),
    ('/devicehapairs/ftddevicehapairs', EXPANDED), ('/deviceclusters/ftddevicecluster', EXPANDED),
    ('/deployment/deployabledevices', EXPANDED), ('/deployment/deployabledevices', dict(EXPANDED, limit=['1'])),
    ('/deployment/deployabledevices', dict(EXPANDED, limit=['1'], offset=['1'])),
    ('/deployment/deployabledevices/dev-1/pendingchanges', EXPANDED),
    ('/deployment/deployabledevices/ha-1/pendingchanges', EXPANDED),
    ('/deployment/deployabledevices/cl-1/pendingchanges', EXPANDED),
    ('/deployment/jobhistories', EXPANDED), ('/deployment/jobhistories', dict(EXPANDED, limit=['1'])),
    ('/deployment/jobhistories', dict(EXPANDED, filter=['jobType:DEPLOYMENT;status:DEPLOYING'])),
]


def test_the_simulator_answers_a_fleet_as_cisco_describes(contract):
    clock = Clock()
    simulator = Simulator(FLEET, clock=clock)
    for path, query in READS:
        simulator.handle('GET', CONFIG + path, query, AUTH, None)
    request = {'type': 'DeploymentRequest', 'version': '1764672000000', 'deviceList': ['dev-1', 'ha-1', 'cl-1'],
               'forceDeploy': False, 'ignoreWarning': False, 'deploymentNote': 'contract'}
    assert contract.check_request('POST', CONFIG + '/deployment/deploymentrequests', request) == []
    reply = simulator.handle('POST', CONFIG + '/deployment/deploymentrequests', {}, AUTH, request)
    task = CONFIG + '/job/taskstatuses/' + json.loads(reply.payload)['metadata']['task']['id']
    for clock.now in (1000.5, 1001.5, 1010.0):  # deploying, then done
        simulator.handle('GET', task, {'showDetailedDeviceStatus': ['true']}, AUTH, None)
        for path, query in READS[4:]:
            simulator.handle('GET', CONFIG + path, query, AUTH, None)
    answers = simulator.answers()
    # Every request here is one Cisco describes and the fleet can answer: a refusal would hide the answer.
    refused = ['%s %s -> %s: refused, not answered' % (answer['method'], answer['path'], answer['status'])
               for answer in answers if answer['status'] not in (200, 202)]
    problems = refused + contract.problems_in(answers)
    assert not problems, '\n'.join(problems)
