# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""cisco.cdfmc.cdfmc_task_status, installed from its tarball, run by ansible-playbook against the simulator."""

import os
import subprocess

from conftest import TOKEN, _tool, clean_environment

GLOBAL = 'e276abec-e0f2-11e3-8169-6d9ed49b625f'

STATES = [
    ('PENDING', 'pending', False), ('Queued', 'pending', False), ('running', 'running', False),
    ('IN_PROGRESS', 'running', False), ('Deploying', 'running', False), ('SUCCESS', 'succeeded', True),
    ('Deployed', 'succeeded', True), ('COMPLETED', 'succeeded', True), ('Failed', 'failed', True),
    ('ERROR', 'failed', True), ('Cancelled', 'cancelled', True), ('CANCELED', 'cancelled', True),
    ('UNKNOWN', 'unknown', False),
    # Words seen in real sources (FMC-FACTS.md): families by their ending, a partial success is a failure.
    ('SUCCEEDED', 'succeeded', True), ('Succeeded', 'succeeded', True), ('DEPLOYED', 'succeeded', True),
    ('FAILED', 'failed', True), ('RUNNING', 'running', False), ('Pending', 'pending', False),
    ('PARTIALLY_SUCCEEDED', 'failed', True), ('SSP_SUCCEEDED', 'succeeded', True), ('SSP_FAILED', 'failed', True),
    ('PRIMARY_BOOTSTRAP_PARTIALLY_SUCCEEDED', 'failed', True), ('SECONDARY_BOOTSTRAP_SUCCEEDED', 'succeeded', True),
    ('SSP_PRIMARY_BOOTSTRAP_FAILED', 'failed', True), ('SSP_SECONDARY_BOOTSTRAP_SUCCEEDED', 'succeeded', True),
    ('BREAK_PARTIALLY_SUCCEEDED', 'failed', True),
]
# Registration outcomes that only the message carries (no status at all): (message, state, terminal).
MESSAGE_STATES = [
    ('DEVICE_SUCCESSFULLY_REGISTERED', 'succeeded', True), ('DISCOVERY_SUCCESS', 'succeeded', True),
    ('REGISTRATION_FAILED', 'failed', True), ('DEPLOYMENT_FAILED', 'failed', True),
    ('DISCOVERY_FAILED', 'failed', True), ('REGISTRATION_IN_PROGRESS', 'running', False),
]


def _simple_task(task_id, status):
    return {'id': task_id, 'task_type': 'DEVICE_REGISTRATION', 'timeline': [{'at': 0, 'status': status}]}


def _task_requests(simulator):
    return [r for r in simulator.requests() if '/job/taskstatuses/' in r['path']]


def test_every_state_of_the_mapping(simulator, run_playbook):
    tasks = [_simple_task('state-%d' % index, case[0]) for index, case in enumerate(STATES)]
    tasks += [{'id': 'message-%d' % index,
               'raw': {'id': 'message-%d' % index, 'type': 'TaskStatus', 'taskType': 'DEVICE_REGISTRATION',
                       'message': message}}
              for index, (message, _state, _terminal) in enumerate(MESSAGE_STATES)]
    simulator.load({'tasks': tasks})
    cases = list(STATES)
    cases += [(None, state, terminal) for _message, state, terminal in MESSAGE_STATES]
    expected = [{'id': task['id'], 'status': status, 'state': state, 'terminal': terminal}
                for task, (status, state, terminal) in zip(tasks, cases)]
    result = run_playbook('states.yml', {'expected': expected})
    assert 'ok=2' in result.stdout
    # Only UNKNOWN is a word the collection does not know.
    flat = ' '.join(result.output.split())  # ansible-core 2.16 wraps warnings over lines
    assert flat.count('is not known and is treated as unknown') == flat.count("task status 'UNKNOWN' is not known") > 0
    requests = _task_requests(simulator)
    assert len(requests) == len(cases)
    assert all(r['path'].startswith('/firewall/v1/cdfmc/api/fmc_config/v1/domain/%s/' % GLOBAL) for r in requests)
    assert all(r['query'] == {'showDetailedDeviceStatus': ['true']} for r in requests)
    assert all(r['user_agent'].startswith('cisco.cdfmc/') for r in requests)


def test_sub_tasks_detailed_status_query_and_status_map(simulator, run_playbook):
    devices = [
        ({'id': 'dev-1', 'name': 'ftd-1'}, 'SUCCESS', 'Deployed'),
        ({'id': 'dev-2', 'name': 'ftd-2'}, 'FAILED', 'Interface outside2 is missing'),
        ({'id': 'dev-3'}, 'FAILED', 'Timed out'),
    ]
    simulator.load({'tasks': [
        {'id': 'deploy-1', 'task_type': 'DEVICE_DEPLOYMENT',
         'timeline': [{'at': 0, 'status': 'Deployed', 'message': 'Deployment finished'}],
         'sub_tasks': [{'target': target, 'timeline': [{'at': 0, 'status': status, 'message': message}]}
                       for target, status, message in devices]},
        _simple_task('odd-1', 'PARTIALLY_DEPLOYED'),
    ]})
    result = run_playbook('sub_tasks.yml')
    assert 'PARTIALLY_DEPLOYED' in result.stderr  # the one-time warning reaches the user
    queries = [r['query'] for r in _task_requests(simulator) if r['path'].endswith('/deploy-1')]
    assert queries == [{'showDetailedDeviceStatus': ['true']}, {}]


def test_failures_are_clear_and_safe(simulator, run_playbook):
    simulator.load({'tasks': [_simple_task('task-1', 'Deployed')]})
    result = run_playbook('errors.yml')
    assert 'ok=10' in result.stdout and 'ignored=8' in result.stdout
    paths = [r['path'] for r in simulator.requests()]
    # The bad id, the bad query, the bad map and plain http were refused before any request.
    assert not any('passwd' in path or '..' in path for path in paths)
    # The wrong token twice (a 401 with a token is retried once), the missing task, the missing domain, and
    # verification off; the untrusted certificate never reached the server.
    assert len(paths) == 5
    assert 'wrong-token-value' not in result.output and TOKEN not in result.output


def test_nothing_secret_at_full_verbosity(simulator, run_playbook, tmp_path):
    simulator.load({'tasks': [_simple_task('task-1', 'Deployed')]})
    log_file = tmp_path / 'ansible.log'
    result = run_playbook('errors.yml', verbosity=4, env={'ANSIBLE_LOG_PATH': str(log_file)})
    assert 'ok=10' in result.stdout
    for text in (result.output, log_file.read_text()):
        assert TOKEN not in text and 'wrong-token-value' not in text


def test_connection_from_environment_with_empty_values_unset(simulator, run_playbook):
    simulator.load({'tasks': [_simple_task('task-1', 'Deployed')]})
    env = {'CDFMC_BASE_URL': simulator.url + '/firewall', 'CDFMC_API_TOKEN': TOKEN, 'CDFMC_CA_PATH': simulator.ca_file,
           'CDFMC_REGION': '', 'CDFMC_DOMAIN_UUID': '', 'CDFMC_VALIDATE_CERTS': ''}
    run_playbook('environment.yml', env=env)
    assert len(_task_requests(simulator)) == 3


def test_check_mode_runs_the_read(simulator, run_playbook):
    simulator.load({'tasks': [_simple_task('task-1', 'Succeeded')]})
    run_playbook('check_mode.yml', check=True)
    (request,) = _task_requests(simulator)
    assert request['path'] == '/api/fmc_config/v1/domain/%s/job/taskstatuses/task-1' % GLOBAL


def test_documentation_renders_from_the_installed_collection(collections_path):
    environment = clean_environment(ANSIBLE_COLLECTIONS_PATH=collections_path)
    for kind, name, option in (('module', 'cdfmc_task_status', 'task_id'), ('module', 'cdfmc_task_wait', 'until_query'),
                               ('lookup', 'task_status', 'CDFMC_API_TOKEN'), ('filter', 'task_facts', 'status_map'),
                               ('role', 'wait_for_tasks', 'wait_for_tasks_report_dir')):
        completed = subprocess.run([_tool('ansible-doc'), '-t', kind, 'cisco.cdfmc.%s' % name],
                                   capture_output=True, text=True, env=environment, check=True)
        assert option in completed.stdout, (kind, name)
        if kind != 'role':
            assert 'EXAMPLES' in completed.stdout and 'RETURN' in completed.stdout, (kind, name)
        assert os.path.join('ansible_collections', 'cisco', 'cdfmc') in completed.stdout, (kind, name)
