# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The API description the simulator serves at /api/api-explorer/fmc.json: Swagger 2.0 as Cisco's clients read it,
the simulated operations only, made of the project's own facts (fmc_api.json) and none of Cisco's prose."""

import base64
import json
import os
import re

import urllib.request

import pytest

from cdfmc_contract import API_FILE
from cdfmc_simulator import api_description
from cdfmc_simulator.api import GLOBAL_DOMAIN_UUID, Simulator
from cdfmc_simulator.server import serve_in_thread

HERE = os.path.dirname(os.path.abspath(__file__))
# Cisco's files, where a maintainer keeps them beside the checkout (not part of the project).
CISCO_API = os.path.join(HERE, '..', '..', '..', 'shared', 'api')
DESCRIPTION = '/api/api-explorer/fmc.json'
AUTH = {'Authorization': 'Bearer sim-token'}
METHODS = ('get', 'put', 'post', 'delete', 'patch')
SCENARIO = {
    'devices': [{'id': 'dev-1', 'name': 'ftd-1', 'pending': ['Branch-ACP']}, {'id': 'dev-2', 'name': 'ftd-2'}],
    'history': [{'units': ['dev-2']}],  # job 1: what dev-2 is rolled back to
    'tasks': [{'id': 'task-1', 'timeline': [{'at': 0, 'status': 'Deploying'}]}],
}
# What the simulator's sample requests send to each operation that takes a body.
BODIES = {
    'deploymentrequests': {'type': 'DeploymentRequest', 'version': '1', 'deviceList': ['dev-1']},
    'rollbackrequests': {'type': 'RollbackRequest', 'rollbackDeviceList': [
        {'deploymentJobId': '0050568B-9937-0ed3-0000-000000000001', 'deviceList': ['dev-2']}]},
}
# What the simulator's sample requests put in each path parameter.
PATH_VALUES = {'domainUUID': GLOBAL_DOMAIN_UUID, 'objectId': 'task-1', 'containerUUID': 'dev-1'}


def _load(path):
    with open(path) as handle:
        return json.load(handle)


API = _load(API_FILE)


def served(simulator=None, headers=None):
    reply = (simulator or Simulator(SCENARIO)).handle('GET', DESCRIPTION, {}, AUTH if headers is None else headers,
                                                      None)
    return reply.status, json.loads(reply.payload)


def operations(document):
    """operationId -> (method, path, operation) of every operation in a Swagger document or in fmc_api.json."""
    return dict((operation['operationId'], (method, path, operation)) for path, methods in document['paths'].items()
                for method, operation in methods.items() if method in METHODS)


def as_definitions(schema):
    """A schema of fmc_api.json pointed into Swagger's definitions (written independently of the builder)."""
    schema = dict(schema)
    schema.pop('$comment', None)
    return json.loads(json.dumps(schema).replace('"#/$defs/', '"#/definitions/'))


def test_it_is_served_with_authentication_as_fmc_serves_it():
    status, document = served()
    assert status == 200 and document == api_description.document()
    assert served(headers={})[0] == 401
    assert served(headers={'Authorization': 'Bearer wrong'})[0] == 401


def test_an_on_prem_login_reads_it_with_the_access_token():
    simulator = Simulator(dict(SCENARIO, auth={'mode': 'fmc', 'username': 'apiuser', 'password': 'pw'}))
    basic = 'Basic ' + base64.b64encode(b'apiuser:pw').decode()
    login = simulator.handle('POST', '/api/fmc_platform/v1/auth/generatetoken', {}, {'Authorization': basic}, None)
    assert login.status == 204
    token = {'X-auth-access-token': login.headers['X-auth-access-token']}
    assert served(simulator, headers=token)[0] == 200
    assert served(simulator, headers={})[0] == 401


def test_it_is_served_over_http_to_a_token_in_any_case_of_its_header_name():
    server, url = serve_in_thread(scenario=dict(SCENARIO, auth={'mode': 'fmc', 'username': 'u', 'password': 'p'}))
    try:
        login = urllib.request.Request(url + '/api/fmc_platform/v1/auth/generatetoken', method='POST',
                                       headers={'Authorization': 'Basic ' + base64.b64encode(b'u:p').decode()})
        with urllib.request.urlopen(login, timeout=10) as answer:
            token = answer.headers['X-auth-access-token']
        # urllib sends the name as X-Auth-Access-Token; HTTP header names are alike in any case.
        read = urllib.request.Request(url + DESCRIPTION, headers={'X-auth-access-token': token})
        with urllib.request.urlopen(read, timeout=10) as answer:
            assert answer.status == 200 and json.load(answer) == api_description.document()
    finally:
        server.shutdown()
        server.server_close()


def test_it_is_swagger_2_with_every_part_a_client_reads():
    document = api_description.document()
    assert document['swagger'] == '2.0' and document['info']['title'] and document['info']['version']
    assert document['parameters'] == {}  # present: cisco.fmcansible reads it for any operation with parameters
    references = re.findall(r'"\$ref": "([^"]+)"', json.dumps(document))
    assert references and all(ref.startswith('#/definitions/') and ref.split('/')[-1] in document['definitions']
                              for ref in references)
    for path, methods in document['paths'].items():
        assert path.startswith('/api/') and set(methods) <= set(METHODS)
        for method, operation in methods.items():
            parameters = operation['parameters']
            assert [p['name'] for p in parameters if p['in'] == 'path'] == re.findall(r'\{([^}]+)\}', path)
            for parameter in parameters:
                if parameter['in'] == 'body':
                    assert method in ('post', 'put') and set(parameter['schema']) == {'$ref'}
                else:
                    assert parameter['type'] in ('string', 'integer', 'boolean', 'number')
                    assert parameter['required'] is (parameter['in'] == 'path')
            assert operation['responses'] and all(answer['description'] and answer['schema']
                                                  for answer in operation['responses'].values())


def test_request_models_have_a_type_for_each_field():
    # A client that checks a body against the description needs an object model and a type or $ref per field.
    document = api_description.document()
    for entry in operations(document).values():
        for body in (p for p in entry[2]['parameters'] if p['in'] == 'body'):
            model = document['definitions'][body['schema']['$ref'].split('/')[-1]]
            assert model['type'] == 'object'
            assert all('type' in field or '$ref' in field for field in model['properties'].values())


def test_it_has_each_simulated_operation_under_its_id_and_path():
    served_operations = operations(api_description.document())
    expected = dict((operation_id, (entry[0], '/api' + entry[1])) for operation_id, entry in operations(API).items()
                    if operation_id in api_description.SIMULATED)
    expected['getAllDomain'] = ('get', '/api/fmc_platform/v1/info/domain')
    assert len(expected) == len(api_description.SIMULATED) + 1
    assert dict((name, entry[:2]) for name, entry in served_operations.items()) == expected
    assert served_operations['createDeploymentRequest'][:2] == (
        'post', '/api/fmc_config/v1/domain/{domainUUID}/deployment/deploymentrequests')
    for name in ('getDeployableDevice', 'getTaskStatus', 'getPendingChanges', 'getJobHistory'):
        assert served_operations[name][0] == 'get'


def _ask(simulator, method, path):
    path = re.sub(r'\{([^}]+)\}', lambda match: PATH_VALUES[match.group(1)], path)
    body = BODIES.get(path.rsplit('/', 1)[1]) if method == 'post' else None
    return simulator.handle(method.upper(), path, {}, AUTH, body).status


def test_the_simulator_answers_each_operation_described_and_no_other_of_cisco():
    simulator = Simulator(SCENARIO)
    described = operations(api_description.document())
    for operation_id, entry in described.items():
        assert 200 <= _ask(simulator, entry[0], entry[1]) < 300, operation_id
    for operation_id, entry in operations(API).items():
        if operation_id not in described:
            assert _ask(simulator, entry[0], '/api' + entry[1]) in (404, 405), operation_id


def test_its_schemas_and_parameters_are_the_projects_own():
    document = api_description.document()
    # Every definition is fmc_api.json's, pointed into definitions; the domain list is the one addition.
    assert set(document['definitions']) <= set(API['$defs'])
    for name, schema in document['definitions'].items():
        assert schema == as_definitions(API['$defs'][name]), name
    for operation_id, (method, path, operation) in operations(API).items():
        if operation_id not in api_description.SIMULATED:
            continue
        mine = operations(document)[operation_id][2]
        assert dict((p['name'], p['type']) for p in mine['parameters'] if p['in'] == 'query') == operation['query']
        assert dict((status, answer['schema']) for status, answer in mine['responses'].items()) == dict(
            (status, as_definitions(schema)) for status, schema in operation['responses'].items())
        bodies = [p['schema'] for p in mine['parameters'] if p['in'] == 'body']
        assert bodies == ([as_definitions(operation['request'])] if 'request' in operation else [])


def _prose(node, found):
    """Every description, summary and title string in a document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ('description', 'summary', 'title') and isinstance(value, str):
                found.add(value)
            _prose(value, found)
    elif isinstance(node, list):
        for value in node:
            _prose(value, found)
    return found


@pytest.mark.skipif(not os.path.isdir(CISCO_API), reason="Cisco's API description is not beside this checkout "
                    "(../shared/api): there is no prose of Cisco's to look for")
def test_no_prose_of_ciscos_is_in_it():
    cisco = set()
    for name in ('fmc-openapi-deploy.json', 'getTaskStatus.json'):
        _prose(_load(os.path.join(CISCO_API, name)), cisco)
    document = api_description.document()
    ours = _prose(document, set())
    assert ours and not ours & cisco
    # Nor anywhere inside it (a phrase of three words or more: a lone word may be a name, such as a definition's).
    text = json.dumps(document)
    assert [line for line in cisco if len(line.split()) >= 3 and json.dumps(line)[1:-1] in text] == []
