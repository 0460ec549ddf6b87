# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module's main() in-process, against the in-process simulator."""

import contextlib
import json

import pytest
from ansible.module_utils import basic

from ansible_collections.cisco.cdfmc.plugins.module_utils import _query, _transport
from ansible_collections.cisco.cdfmc.plugins.modules import cdfmc_task_status

TOKEN = 'sim-token'
TASK = {'id': 't1', 'task_type': 'DEVICE_DEPLOYMENT',
        'timeline': [{'at': 0, 'status': 'Deployed', 'message': 'done'}],
        'sub_tasks': [{'target': {'id': 'd1', 'name': 'ftd-1'}, 'timeline': [{'at': 0, 'status': 'FAILED'}]}]}


class ModuleExit(Exception):
    def __init__(self, result, failed):
        super().__init__(result)
        self.result = result
        self.failed = failed


@contextlib.contextmanager
def module_args(args):
    try:
        from ansible.module_utils.testing import patch_module_args  # ansible-core 2.19+
    except ImportError:
        patch_module_args = None
    if patch_module_args is not None:
        with patch_module_args(args):
            yield
        return
    old = basic._ANSIBLE_ARGS
    basic._ANSIBLE_ARGS = json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode('utf-8')
    try:
        yield
    finally:
        basic._ANSIBLE_ARGS = old


def run_module(monkeypatch, args):
    def exit_json(self, **result):
        raise ModuleExit(result, False)

    def fail_json(self, msg, **result):
        result['msg'] = msg
        raise ModuleExit(result, True)

    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)
    with module_args(args):
        with pytest.raises(ModuleExit) as caught:
            cdfmc_task_status.main()
    return caught.value


def base_args(simulator, **extra):
    args = {'base_url': simulator.url, 'api_token': TOKEN, 'ca_path': simulator.ca_file, 'task_id': 't1'}
    args.update(extra)
    return args


def test_success_returns_facts_and_query(simulator, monkeypatch):
    simulator.load({'tasks': [TASK]})
    outcome = run_module(monkeypatch, base_args(simulator, query='failed_targets[0]', include_raw=False))
    assert not outcome.failed
    assert outcome.result['changed'] is False
    assert outcome.result['query_result'] == 'ftd-1'
    assert outcome.result['task']['state'] == 'failed' and 'raw' not in outcome.result['task']


def test_alias_id(simulator, monkeypatch):
    simulator.load({'tasks': [TASK]})
    args = base_args(simulator)
    args['id'] = args.pop('task_id')
    assert run_module(monkeypatch, args).result['task']['id'] == 't1'


def test_request_error_is_fail_json_without_secret(simulator, monkeypatch):
    outcome = run_module(monkeypatch, base_args(simulator, api_token='bad-secret-value'))
    assert outcome.failed and 'HTTP 401' in outcome.result['msg']
    assert 'bad-secret-value' not in json.dumps(outcome.result)


def test_empty_string_options_count_as_unset(simulator, monkeypatch):
    # Typed options ('' for a bool or a choice) are removed by the action plugin before the module
    # runs; the integration tests cover those. Here: the string options the module sees itself.
    simulator.load({'tasks': [TASK]})
    monkeypatch.setenv('CDFMC_API_TOKEN', TOKEN)
    outcome = run_module(monkeypatch, base_args(simulator, api_token='', domain_uuid='', query=''))
    assert not outcome.failed and 'query_result' not in outcome.result


def test_empty_task_id_is_a_clear_error(simulator, monkeypatch):
    outcome = run_module(monkeypatch, base_args(simulator, task_id=''))
    assert outcome.failed and 'task id' in outcome.result['msg']
    assert simulator.requests == []


def test_missing_requests_is_reported(simulator, monkeypatch):
    monkeypatch.setattr(_transport, 'requests', None)
    outcome = run_module(monkeypatch, base_args(simulator))
    assert outcome.failed and 'requests' in outcome.result['msg']


def test_missing_jmespath_is_reported_only_when_query_is_used(simulator, monkeypatch):
    simulator.load({'tasks': [TASK]})
    monkeypatch.setattr(_query, 'HAS_JMESPATH', False)
    assert not run_module(monkeypatch, base_args(simulator)).failed
    outcome = run_module(monkeypatch, base_args(simulator, query='state'))
    assert outcome.failed and 'jmespath' in outcome.result['msg']


def test_the_module_says_which_option_came_from_the_environment(simulator, monkeypatch):
    monkeypatch.setenv('CDFMC_BASE_URL', simulator.url)
    args = base_args(simulator, region='us')
    del args['base_url']
    outcome = run_module(monkeypatch, args)
    assert outcome.failed and ('region is set in the task and base_url comes from the environment variable '
                               'CDFMC_BASE_URL') in outcome.result['msg']
