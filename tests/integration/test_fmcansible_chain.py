# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""cisco.fmcansible's start-up and deployment replayed against the simulator, then cdfmc_task_wait on its result.

Plain HTTP requests stand for cisco.fmcansible (it is not installed here): log in, read the API description, find
each operation's method and path in it by operation id, fill the path and query as it does, and send its documented
deployment sample, which FMC refuses without ``type: DeploymentRequest``.
"""

import base64
import collections
import json
import os
import re
import ssl
import textwrap
import urllib.error
import urllib.parse
import urllib.request

import yaml

from conftest import ROOT

GUIDE = os.path.join(ROOT, 'docs', 'docsite', 'rst', 'guide_chained_after_fmcansible.rst')
Answer = collections.namedtuple('Answer', 'status headers body')

USERNAME = 'fmcansible'
PASSWORD = 'Int3gr4tion-Chain-P4ss'
SCENARIO = {
    'auth': {'mode': 'fmc', 'username': USERNAME, 'password': PASSWORD},
    'devices': [{'id': 'dev-1', 'name': 'ftd-1', 'pending': ['Branch-ACP']},
                {'id': 'dev-2', 'name': 'ftd-2', 'pending': ['Branch-ACP']}],
    'deployment': {'step_seconds': 0.5, 'hidden_seconds': 1},
}


class Client:
    """What cisco.fmcansible sends: JSON headers and the on-prem access token, on every request after the login."""

    def __init__(self, simulator):
        self.url = simulator.url
        self.context = ssl.create_default_context(cafile=simulator.ca_file)
        self.headers = {'Content-Type': 'application/json', 'Accept': 'application/json'}

    def send(self, method, path, body=None, headers=None):
        """An Answer: status, headers and the JSON body (None when empty)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers=dict(self.headers, **(headers or {})))
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=30) as response:
                status, answer_headers, payload = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, answer_headers, payload = error.code, error.headers, error.read()
        return Answer(status, answer_headers, json.loads(payload) if payload else None)

    def login(self):
        basic = base64.b64encode(('%s:%s' % (USERNAME, PASSWORD)).encode()).decode()
        login = self.send('POST', '/api/fmc_platform/v1/auth/generatetoken', headers={'Authorization': 'Basic ' + basic})
        assert login.status == 204
        self.headers['X-auth-access-token'] = login.headers['X-auth-access-token']

    def operation(self, description, operation_id, path_params=None, query_params=None, data=None):
        """Run an operation by its id, as fmc_configuration does: method and path from the description."""
        (method, path), = [(method, path) for path, methods in description['paths'].items()
                           for method, operation in methods.items() if operation['operationId'] == operation_id]
        url = path.format(**(path_params or {}))
        if query_params:
            url += '?' + urllib.parse.urlencode(query_params)
        return self.send(method.upper(), url, data)


def test_a_deployment_requested_as_fmcansible_requests_it_is_waited_for(simulator, run_playbook):
    simulator.load(SCENARIO)
    client = Client(simulator)
    client.login()
    read = client.send('GET', '/api/api-explorer/fmc.json')
    assert read.status == 200 and read.body['swagger'] == '2.0'
    description = read.body

    domain = {'domainUUID': client.operation(description, 'getAllDomain').body['items'][0]['uuid']}
    deployable = client.operation(description, 'getDeployableDevice', domain, {'expanded': True})
    assert deployable.status == 200
    devices = deployable.body['items']
    # FMCAnsible's usage guide deploys with this body; FMC refuses it for want of type: DeploymentRequest.
    sample = {'version': devices[0]['version'], 'deviceList': [devices[0]['device']['id']], 'forceDeploy': True}
    refusal = client.operation(description, 'createDeploymentRequest', domain, data=sample)
    assert refusal.status == 400 and refusal.body['error']['category'] == 'VALIDATION'
    assert refusal.body['error']['messages'][0]['description'] == 'type must be DeploymentRequest.'

    request = dict(sample, type='DeploymentRequest', deviceList=[device['device']['id'] for device in devices])
    accepted = client.operation(description, 'createDeploymentRequest', domain, data=request)
    assert accepted.status == 202 and accepted.body['metadata']['task']['id']
    answer = accepted.body

    # fmc_configuration registers the answer under "response".
    run_playbook('fmcansible_chain.yml', {'deployment': {'changed': True, 'response': answer},
                                          'device_names': ['ftd-1', 'ftd-2']},
                 env={'CDFMC_USERNAME': USERNAME, 'CDFMC_PASSWORD': PASSWORD})
    log = simulator.requests()
    assert [r['status'] for r in log if r['path'] == '/api/api-explorer/fmc.json'] == [200]
    assert [r['body'].get('type') for r in log if r['path'].endswith('/deploymentrequests')] == [
        None, 'DeploymentRequest']
    assert log[-1]['path'].endswith('/job/taskstatuses/' + answer['metadata']['task']['id'])


def test_the_description_needs_the_access_token(simulator):
    simulator.load(SCENARIO)
    client = Client(simulator)
    assert client.send('GET', '/api/api-explorer/fmc.json').status == 401


def _code_blocks(language):
    with open(GUIDE) as handle:
        text = handle.read()
    return [textwrap.dedent(block) for block in
            re.findall(r'\.\. code-block:: %s\n\n((?:  .*\n|\n)+)' % language, text)]


def test_the_guide_avoids_each_trap_it_names():
    (inventory,) = _code_blocks('ini')
    assert re.search(r'ansible_host=\S+:\d+', inventory)  # the port in ansible_host: ansible_httpapi_port is unused
    ((play,),) = [yaml.safe_load(block) for block in _code_blocks('yaml')]
    tasks = dict((task['name'], task) for task in play['tasks'])
    reads = [task for task in tasks.values() if str(task.get('cisco.fmcansible.fmc_configuration', {}).get(
        'operation', '')).startswith('get')]
    assert reads and all(task['check_mode'] is False for task in reads)
    (deploy,) = [task for task in tasks.values()
                 if task.get('cisco.fmcansible.fmc_configuration', {}).get('operation') == 'createDeploymentRequest']
    assert 'check_mode' not in deploy and deploy['cisco.fmcansible.fmc_configuration']['data']['type'] == 'DeploymentRequest'
    assert isinstance(deploy['cisco.fmcansible.fmc_configuration']['data']['version'], str)
    (wait,) = [task for task in tasks.values() if 'cisco.cdfmc.cdfmc_task_wait' in task]
    assert wait['cisco.cdfmc.cdfmc_task_wait']['task_ids'] == '{{ %s }}' % deploy['register']
