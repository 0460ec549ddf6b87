# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cisco's own examples (tests/simulator/schemas/cisco_examples.json, with their source named there) replayed
through the collection's parsers: example -> the facts the collection must read from it. A parser that drifts
from Cisco's shapes fails here, and an example added to the file must be given its facts (or a reason the
collection does not read it)."""

import json
import os

import pytest

from ansible_collections.cisco.cdfmc.plugins.filter.task_facts import task_facts as task_facts_filter
from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import Deadline
from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import StatusMapper, task_facts
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._deploy_api import request_deployment, request_rollback
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._deploy_plan import pending_policies, plan_of, request_body
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._devices import managed_devices
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._jobs import deployed_since, deploying_devices, read_job
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._rollback_plan import (
    PREVIOUS,
    REFUSED,
    Selector,
    choose,
    history,
    request_body as rollback_request_body,
    with_can_rollback,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
with open(os.path.join(ROOT, 'tests', 'simulator', 'schemas', 'cisco_examples.json')) as _handle:
    EXAMPLES = dict((example['name'], example) for example in json.load(_handle)['examples'])


def body(name):
    return EXAMPLES[name]['body']


class FakeLists:
    """A client whose FMC lists answer with Cisco's examples (path ending -> items)."""

    def __init__(self, lists):
        self.lists, self.sent = lists, []
        self.settings = type('Settings', (), {'server': 'https://fmc.example.com'})()

    def config_path(self, rest):
        return '/fmc_config/v1/domain/e276abec-e0f2-11e3-8169-6d9ed49b625f' + rest

    def all_items(self, path, deadline, params=None):
        return next((list(items) for ending, items in self.lists.items() if path.endswith(ending)), [])

    def request(self, method, path, json_body=None, deadline=None):
        self.sent.append((method, path, json_body))
        answer = dict(json_body, metadata={'task': {'id': '8589934593'}})
        return type('Response', (), {'body': answer})()


def deployable_facts(name):
    (item,) = body(name)['items']
    plan = plan_of([item], None, [], force=False, read_at_ms=0)
    (device,) = plan.selected
    return {'device': device, 'policies': pending_policies(item), 'deploying': [u['id'] for u in plan.deploying],
            'blocked': plan.blocked, 'version': plan.version()}


OUT_OF_DATE = ['PG.PLATFORM.NgfwInlineSetPage', 'Jai Shree Ram', 'DNS', 'SSL', 'NAT', 'Platform', 'Flex',
               'PG.PLATFORM.PixDDnsPage', 'PG.PLATFORM.PixOSPFPage', 'PG.PLATFORM.PixDhcpdPage',
               'PG.PLATFORM.PixDhcpRelayPage', 'PG.PLATFORM.PixRipPix72Page', 'DeviceConfiguration']
STANDALONE = {'id': 'ec6fcb5e-d891-11ea-9600-f0f82ba3e0ab', 'name': '10.10.6.71', 'type': 'Device', 'members': []}


def job_facts(name):
    jobs = [read_job(item, StatusMapper(warn=pytest.fail)) for item in body(name)['items']]
    return {'jobs': [(job['name'], job['type'], job['state'], job['start_ms'],
                      [(device['id'], device['container_id'], device['state']) + (
                          (device['can_rollback'],) if device['can_rollback'] is not None else ())
                       for device in job['devices']])
                     for job in jobs],
            'deployed_since': deployed_since(jobs, 0), 'deploying': deploying_devices(jobs)}


def devices_facts(_name):
    records = [body('getDevice response 1'), {'id': 'primary_uuid', 'name': 'ftd-a', 'type': 'Device'},
               {'id': '<slave1_device_UUID>', 'name': 'ftd-s1', 'type': 'Device'}]
    devices = managed_devices(FakeLists({
        '/devicerecords': records, '/ftddevicehapairs': [dict(body('getFTDHADeviceContainer response 1'), id='ha')],
        '/ftddevicecluster': [body('getFTDClusterDeviceContainer response 1')]}), None)
    return [(device['id'], device['type'], [(member['id'], member['name']) for member in device['members']])
            for device in devices]


def task_status_facts(name):
    warnings = []
    facts = task_facts('taskID', body(name), StatusMapper(warn=warnings.append), include_raw=False)
    return {'state': facts['state'], 'terminal': facts['terminal'], 'task_type': facts['task_type'],
            'sub_tasks': [(s['target_id'], s['target_type'], s['state']) for s in facts['sub_tasks']],
            'warned': len(warnings), 'filter_state': task_facts_filter(body(name))['state']}


# Cisco's placeholder statuses ("status_of_queried_task", "COMPLETED/RUNNING/FAILED") are no state: unknown,
# not terminal, one warning each.
PLACEHOLDER_TASK = {'state': 'unknown', 'terminal': False, 'task_type': 'valid_enum', 'sub_tasks': [], 'warned': 1,
                    'filter_state': 'unknown'}
JOB_6_DEVICES = [('d0c422c8-9756-11ea-acb6-961f407b1a9c', None, 'succeeded'),
                 ('a6b42c18-50c8-11eb-8556-880cc814430c', '8c363564-518d-11eb-899b-e37ea1f51142', 'succeeded'),
                 ('73dee6c4-9756-11ea-b7d5-c46fa36556b5', None, 'succeeded')]
ROLLBACK_APPLICABLE_DEVICES = [('9b1a4496-f191-11ea-a46b-dbe601ec8233', None, None, False),
                               ('6bc51b26-401f-11eb-8a50-866b03f66226', None, None, True),
                               ('4f1e003c-401f-11eb-9c14-d0c01de8132e', None, None, True)]
REPLAYED = {
    'getDeployableDevice response 1': (deployable_facts, {
        'device': STANDALONE, 'policies': OUT_OF_DATE, 'deploying': [STANDALONE['id']], 'blocked': [],
        'version': '1597825642070'}),
    'getDeployableDevice response 2': (deployable_facts, {
        'device': STANDALONE, 'policies': OUT_OF_DATE, 'deploying': [], 'blocked': [], 'version': '1597825642070'}),
    'getJobHistory response 1': (job_facts, {
        'jobs': [('Deploy_Job_6', 'DEPLOYMENT', 'succeeded', 1589624941000, JOB_6_DEVICES),
                 ('Deploy_Job_5', 'UNKNOWN', 'succeeded', 1589624119000, []),
                 ('Deploy_Job_4', 'ROLLBACK', 'succeeded', 1589623750000, [
                     ('d0c422c8-9756-11ea-acb6-961f407b1a9c', None, 'succeeded')]),
                 ('Deploy_Job_3', 'DEPLOYMENT', 'succeeded', 1589623462000, [
                     ('73dee6c4-9756-11ea-b7d5-c46fa36556b5', None, 'succeeded')])],
        # The rollback deployed no pending change; the HA member counts for its pair.
        'deployed_since': {'d0c422c8-9756-11ea-acb6-961f407b1a9c': 1589624941000,
                           '8c363564-518d-11eb-899b-e37ea1f51142': 1589624941000,
                           '73dee6c4-9756-11ea-b7d5-c46fa36556b5': 1589624941000},
        'deploying': set()}),
    # Read with rollbackApplicable: no status, no times, no note: nothing deployed or deploying can be read.
    'getJobHistory response 2': (job_facts, {
        'jobs': [('Deploy_Job_4', 'DEPLOYMENT', None, None, ROLLBACK_APPLICABLE_DEVICES),
                 ('Deploy_Job_3', 'DEPLOYMENT', None, None, [('9b1a4496-f191-11ea-a46b-dbe601ec8233', None, None, False)]),
                 ('Deploy_Job_2', 'DEPLOYMENT', None, None, [('4f1e003c-401f-11eb-9c14-d0c01de8132e', None, None, True)]),
                 ('Deploy_Job_1', 'DEPLOYMENT', None, None, [('6bc51b26-401f-11eb-8a50-866b03f66226', None, None, True)])],
        'deployed_since': {}, 'deploying': set()}),
    # A pair whose members carry only ids, a 6.x cluster, a device record naming a container that is not listed.
    'getFTDHADeviceContainer response 1': (devices_facts, [
        ('ha', 'DeviceHAPair', [('primary_uuid', 'ftd-a'), ('secondary_uuid', 'secondary_uuid')]),
        ('35874370-9957-11e8-af35-2038dcb5d0fa', 'DeviceCluster', [
            ('<master_device_UUID>', '<master_device_UUID>'), ('<slave1_device_UUID>', 'ftd-s1'),
            ('<slave2_device_UUID>', '<slave2_device_UUID>'), ('<slave3_device_UUID>', '<slave3_device_UUID>')]),
        ('device_uuid', 'Device', [])]),
    'getFTDClusterDeviceContainer response 1': 'replayed with getFTDHADeviceContainer response 1',
    'getDevice response 1': 'replayed with getFTDHADeviceContainer response 1',
    'getTaskStatus response 1': (task_status_facts, PLACEHOLDER_TASK),
    'getTaskStatus response 2': (task_status_facts, PLACEHOLDER_TASK),
    'getTaskStatus response 3': (task_status_facts, dict(
        PLACEHOLDER_TASK, task_type='DeviceImport/DeviceExport', warned=2,
        sub_tasks=[('DeviceUUID1', 'Device', 'unknown')])),
    # Read without expanded=true: names only, which the collection never relies on (it asks for expanded).
    'getAllFTDHADeviceContainer response 1': 'the collection reads the pairs with expanded=true',
    'getAllFTDClusterDeviceContainer response 1': 'the collection reads the clusters with expanded=true',
    'getDeploymentDetail response 1': 'the collection does not read per-device deployment details',
    'createFTDHADeviceContainer response 1': 'the collection does not create HA pairs',
    'createFTDHADeviceContainer request 1': 'the collection does not create HA pairs',
    'createDevice request 1': 'the collection does not register devices',
    'createDevice request 2': 'the collection does not register devices',
    'createRollbackRequest request 1': 'test_the_rollback_request_has_the_shape_of_cisco_s_example',
    'createDeploymentRequest request 1': 'test_the_deployment_request_has_the_shape_of_cisco_s_examples',
    'createDeploymentRequest request 2': 'selective policy deployment is not offered',
    'createDeploymentRequest request 3': 'selective policy deployment is not offered',
}


def test_every_example_of_cisco_s_is_replayed_or_says_why_not():
    assert sorted(REPLAYED) == sorted(EXAMPLES)


@pytest.mark.parametrize('name', sorted(name for name, entry in REPLAYED.items() if isinstance(entry, tuple)))
def test_cisco_s_example_gives_the_expected_facts(name):
    parser, expected = REPLAYED[name]
    assert parser(name) == expected


def test_the_deployment_request_has_the_shape_of_cisco_s_examples():
    from cdfmc_contract import Contract  # tests/conftest.py puts tests/simulator on the path
    (item,) = body('getDeployableDevice response 2')['items']
    plan = plan_of([item], None, [], force=False, read_at_ms=0)
    client = FakeLists({})
    answer = request_deployment(client, request_body(plan, False, False, 'Change 42'), Deadline(5))
    assert answer == ('8589934593', None)
    ((method, path, sent),) = client.sent
    example = body('createDeploymentRequest request 1')
    assert sorted(sent) == sorted(example) and sent['deviceList'] == [STANDALONE['id']]
    assert sent['version'] == item['version'] and sent['type'] == example['type']
    assert Contract.load().check_request(method, '/api' + path, sent) == []


def _device(device_id):
    return {'id': device_id, 'name': device_id, 'type': 'Device', 'members': []}


def test_cisco_s_job_history_gives_each_device_its_configurations_and_reasons_not_to_return():
    mapper = StatusMapper(warn=pytest.fail)
    plain = [read_job(item, mapper) for item in body('getJobHistory response 1')['items']]
    filtered = [read_job(item, mapper) for item in body('getJobHistory response 2')['items']]
    jobs = with_can_rollback(plain, filtered)  # two examples of different FMCs: no job id in common
    # Job 6 is its current configuration; the one before came from the rollback of job 4.
    steps = history(_device('d0c422c8-9756-11ea-acb6-961f407b1a9c'), jobs)
    assert [step.job['name'] for step in steps] == ['Deploy_Job_6', 'Deploy_Job_4']
    choice = choose(_device('d0c422c8-9756-11ea-acb6-961f407b1a9c'), steps, Selector(PREVIOUS, None))
    assert choice.kind == REFUSED and 'came from job Deploy_Job_4 (' in choice.reason and 'a job of type ROLLBACK' in choice.reason
    # Job 3 is before job 6, but the plain read does not say canRollback: only the filtered read of the same jobs.
    device = _device('73dee6c4-9756-11ea-b7d5-c46fa36556b5')
    choice = choose(device, history(device, jobs), Selector(PREVIOUS, None))
    assert choice.target.job['name'] == 'Deploy_Job_3' and 'canRollback: not given' in choice.reason
    # The filtered read alone has no status: no device succeeded in it, so it gives nothing to return to.
    device = _device('4f1e003c-401f-11eb-9c14-d0c01de8132e')
    assert history(device, filtered) == []


def test_the_rollback_request_has_the_shape_of_cisco_s_example():
    from cdfmc_contract import Contract  # tests/conftest.py puts tests/simulator on the path
    example = body('createRollbackRequest request 1')
    choices = []
    for entry in example['rollbackDeviceList']:
        for device_id in entry['deviceList']:
            item = {'id': entry['deploymentJobId'], 'jobType': 'DEPLOYMENT', 'jobStatus': 'DEPLOYED',
                    'startTime': '2020-05-16T10:29:01Z', 'deviceList': [
                        {'deviceUUID': device_id, 'deploymentStatus': 'SUCCEEDED', 'canRollback': True}]}
            newer = dict(item, id='newer', startTime='2020-05-17T10:29:01Z')
            device = _device(device_id)
            jobs = [read_job(job, StatusMapper(warn=pytest.fail)) for job in (newer, item)]
            choices.append(choose(device, history(device, jobs), Selector(PREVIOUS, None)))
    sent = rollback_request_body(choices)
    assert sent == example
    client = FakeLists({})
    assert request_rollback(client, sent, Deadline(5)) == ('8589934593', None)
    ((method, path, posted),) = client.sent
    assert path.endswith('/deployment/rollbackrequests') and posted == example
    assert Contract.load().check_request(method, '/api' + path, sent) == []
