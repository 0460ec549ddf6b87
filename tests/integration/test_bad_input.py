# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input is refused before any request, with one clear message each: one playbook of every case,
for the module and the wait, and the simulator must have received nothing."""

import json

import yaml

from conftest import TOKEN

HOSTILE_IDS = ['', '.', '..', '../../x', 'a/b', 'a?b', 'a#b', 'a b', 'a\u0000b', 'x' * 10000]

# (module, options, text the failure message must hold)
CASES = [('cisco.cdfmc.cdfmc_task_status', {'task_id': task_id}, 'task id') for task_id in HOSTILE_IDS]
CASES += [('cisco.cdfmc.cdfmc_task_wait', {'task_ids': task_id}, 'task') for task_id in HOSTILE_IDS]
CASES += [('cisco.cdfmc.cdfmc_task_wait', {'task_ids': ['ok', task_id]}, 'task_ids[1]') for task_id in HOSTILE_IDS[1:]]
CASES += [
    ('cisco.cdfmc.cdfmc_task_wait', {'task_ids': 't1', 'region': 'us'}, 'base_url and region are mutually exclusive'),
    ('cisco.cdfmc.cdfmc_task_wait', {'task_ids': 't1', 'base_url': None}, 'no server given'),
    ('cisco.cdfmc.cdfmc_task_wait', {'task_ids': 't1', 'base_url': None, 'region': 'mars'}, 'region'),
    ('cisco.cdfmc.cdfmc_task_wait', {'task_ids': 't1', 'base_url': '127.0.0.1:8443'}, 'absolute https://'),
    ('cisco.cdfmc.cdfmc_task_wait', {'task_ids': 't1', 'base_url': 'https://admin:Pa55-in-url@fmc.example.com'},
     'must not contain credentials'),
    ('cisco.cdfmc.cdfmc_task_wait', {'task_ids': 't1', 'base_url': 'https://admin:Pa55/in?url@fmc.example.com'},
     'must not contain credentials'),
    ('cisco.cdfmc.cdfmc_task_status', {'task_id': 't1', 'base_url': 'https://admin:Pa55#in/url@fmc.example.com'},
     'must not contain credentials'),
    ('cisco.cdfmc.cdfmc_task_wait', {'task_ids': 't1', 'username': 'apiuser', 'password': 'pw'},
     'api_token and username/password are mutually exclusive'),
    ('cisco.cdfmc.cdfmc_task_status', {'task_id': 't1', 'username': 'apiuser'}, 'mutually exclusive'),
    ('cisco.cdfmc.cdfmc_task_wait', {'task_ids': 't1', 'timeout': -5}, 'timeout must be 0'),
    ('cisco.cdfmc.cdfmc_task_wait', {'task_ids': 't1', 'timeout': 'soon'}, 'timeout'),
    ('cisco.cdfmc.cdfmc_task_wait', {'task_ids': 't1', 'request_timeout': -1}, 'request_timeout'),
    ('cisco.cdfmc.cdfmc_task_wait', {'task_ids': 't1', 'poll_interval': 0}, 'poll_interval must be a positive'),
    ('cisco.cdfmc.cdfmc_task_wait', {'task_ids': 't1', 'poll_interval': -1}, 'poll_interval must be a positive'),
    ('cisco.cdfmc.cdfmc_task_wait', {'task_ids': 't1', 'max_requests_per_minute': 0}, 'max_requests_per_minute'),
    ('cisco.cdfmc.cdfmc_task_status', {'task_id': 't1', 'query': 'sub_tasks[?'}, 'query is not a valid JMESPath'),
    ('cisco.cdfmc.cdfmc_task_wait', {'task_ids': 't1', 'until_query': 'state =='}, 'until_query is not a valid'),
    ('cisco.cdfmc.cdfmc_task_wait', {'task_ids': {'id': 'x'}, 'id_query': 'a..b'}, 'id_query is not a valid'),
    ('cisco.cdfmc.cdfmc_task_wait', {'task_ids': 't1', 'status_map': {'Deployed': 'done'}}, 'status_map'),
    ('cisco.cdfmc.cdfmc_task_status', {'task_id': 't1', 'status_map': {'Deployed': 'done'}}, 'status_map'),
    ('cisco.cdfmc.cdfmc_task_wait', {'task_ids': 't1', 'poll_interval': 10, 'max_poll_interval': 5},
     'max_poll_interval'),
    ('cisco.cdfmc.cdfmc_task_wait', {'task_ids': []}, 'task_ids is empty'),
    ('cisco.cdfmc.cdfmc_task_wait', {'task_ids': [{'changed': True, 'status': 202}]}, 'no task id in task_ids[0]'),
]


def test_bad_input_is_refused_before_any_request(simulator, run_playbook, tmp_path):
    simulator.load({'tasks': [{'id': 't1', 'timeline': [{'at': 0, 'status': 'Success'}]}]})
    tasks = []
    for number, (module, options, _text) in enumerate(CASES):
        tasks.append({'name': 'Case %d' % number, module: options, 'register': 'case_%d' % number,
                      'ignore_errors': True})
    tasks.append({'name': 'Save the results', 'ansible.builtin.copy': {
        'content': '{{ [%s] | to_json }}' % ', '.join('case_%d' % n for n in range(len(CASES))),
        'dest': str(tmp_path / 'results.json'), 'mode': '0600'}})
    playbook = [{'name': 'Bad input', 'hosts': 'localhost', 'gather_facts': False,
                 'module_defaults': {'group/cisco.cdfmc.cdfmc': {
                     'base_url': '{{ sim_url }}', 'api_token': '{{ sim_token }}', 'ca_path': '{{ sim_ca }}'}},
                 'tasks': tasks}]
    # run_playbook takes playbooks from tests/integration/playbooks by name, or an absolute path.
    path = tmp_path / 'bad_input.yml'
    path.write_text(yaml.safe_dump(playbook, allow_unicode=True, width=100000))
    played = run_playbook(str(path), verbosity=3)
    saved = (tmp_path / 'results.json').read_text()
    results = json.loads(saved)
    for (module, options, text), result in zip(CASES, results):
        assert result.get('failed'), (module, options, result)
        assert text in result['msg'], (module, options, result['msg'])
        assert len(result['msg']) < 600, (module, result['msg'][:200])
    assert simulator.requests() == []
    for text in (played.output, saved):
        assert 'Pa55' not in text and TOKEN not in text
