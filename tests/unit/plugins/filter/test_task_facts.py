# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import json

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.cisco.cdfmc.plugins.filter.task_facts import task_facts

BODY = {'id': 't1', 'status': 'Deployed', 'subTasks': [{'status': 'FAILED', 'target': {'name': 'ftd-2'}}]}


@pytest.mark.parametrize('data', [
    BODY, {'status': 200, 'json': BODY}, {'response': BODY}, {'status': 200, 'content': json.dumps(BODY)},
    {'changed': False, 'task': {'id': 't1', 'raw': BODY}},
])
def test_finds_the_task_status(data):
    facts = task_facts(data, include_raw=False)
    assert facts['id'] == 't1' and facts['state'] == 'failed' and facts['failed_targets'] == ['ftd-2']


@pytest.mark.parametrize('data,message', [
    ({'status': 404, 'json': {'error': {}}}, 'HTTP 404'),
    ({'failed': True, 'msg': 'boom'}, 'request failed'),
    ({'status': 200, 'json': {'items': []}}, 'no task status found'),
    ([BODY], 'expects a task status'),
])
def test_refuses_what_is_not_a_task_status(data, message):
    with pytest.raises(AnsibleFilterError, match=message):
        task_facts(data)


def test_bad_status_map_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match='status_map'):
        task_facts(BODY, status_map={'x': 'done'})


@pytest.mark.parametrize('data,state', [
    ({'id': '42', 'message': 'REGISTRATION_FAILED'}, 'failed'),  # only an id and a message: a registration task
    ({'status': 200, 'json': {'id': '42', 'message': 'DEVICE_SUCCESSFULLY_REGISTERED'}}, 'succeeded'),
    # A POST answer that embeds its task: found there; an HTTP code as its status is no state.
    ({'status': 202, 'json': {'type': 'DeploymentRequest', 'metadata': {'task': {'id': '42', 'status': '200'}}}},
     'unknown'),
    ({'response': {'metadata': {'task': {'id': '42', 'status': 'RUNNING', 'message': 'Triggered all Push Upgrades '
                                                                                     'successfully'}}}}, 'running'),
])
def test_finds_a_task_given_by_id_and_message_or_embedded_under_metadata_task(data, state):
    facts = task_facts(data, include_raw=False)
    assert facts['id'] == '42' and facts['state'] == state
