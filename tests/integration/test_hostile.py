# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile conditions, through ansible-playbook: a server whose text tries to forge log lines, a neighbour that
holds every shared lock for ever, shared files planted as FIFOs, links to /dev/zero or nested JSON, a hold-off
an hour ahead, a refresh service that fails, an answer nested 900 levels deep, and (cdfmc_deploy) a deployment
lock held for ever or planted as something else. Each entry point ends within its bound (a test's upper limit
with generous slack, never a speed target), and what is damaged heals."""

import json
import os
import re
import stat
import subprocess
import sys
import time

import pytest

from conftest import TOKEN

PASSWORD = 'H0stile-P4ssw0rd'
PAYLOAD = '\x1b[2J\x1b[H\x1b]0;owned\x07\r\nTASK [forged task] ***\nok: [forged-host]\r\n\u2028\u202eksat\u2069'
FORGED = re.compile(r'^\s*(TASK \[forged task\]|ok: \[forged-host\])', re.MULTILINE)
ENTRY_POINTS = ('wait', 'module', 'lookup')
# Bounds of one entry point (docs/security.md): the wait, timeout + request_timeout; a read of the module or the
# lookup, (max_retries + 1) x request_timeout + max_retries x 120 s. Plus ansible-playbook's own start.
SLACK = 10 + 10


def flat(text):
    """Output with its white space made single spaces: ansible-core 2.16 wraps warnings over lines."""
    return ' '.join(text.split())


def token_env(simulator):
    return {'CDFMC_BASE_URL': simulator.url + '/firewall', 'CDFMC_API_TOKEN': TOKEN, 'CDFMC_CA_PATH': simulator.ca_file}


def login_env(simulator):
    return {'CDFMC_BASE_URL': simulator.url, 'CDFMC_USERNAME': 'apiuser', 'CDFMC_PASSWORD': PASSWORD,
            'CDFMC_CA_PATH': simulator.ca_file}


def on_prem(tasks, lifetime=1800, **extra):
    return dict({'auth': {'mode': 'fmc', 'username': 'apiuser', 'password': PASSWORD, 'token_lifetime': lifetime},
                 'tasks': tasks}, **extra)


def running(task_id, end=None, final='Deployed'):
    timeline = [{'at': 0, 'status': 'Deploying'}] + ([{'at': end, 'status': final}] if end else [])
    return {'id': task_id, 'task_type': 'DEVICE_DEPLOYMENT', 'starts': 'first_request', 'timeline': timeline}


def shared_directory(tmp_path):
    return tmp_path / 'tmp' / ('cisco.cdfmc-%d' % os.getuid())


def run_all(run_playbook, tmp_path, ids, env, entry_points=ENTRY_POINTS, **variables):
    """Run every_entry_point.yml; return (PlaybookResult, results by entry point, seconds it took)."""
    variables.update(ids=ids, entry_points=list(entry_points), result_dir=str(tmp_path))
    started = time.monotonic()
    played = run_playbook('every_entry_point.yml', variables, env=env)
    took = time.monotonic() - started
    with open(tmp_path / 'results.json') as handle:
        return played, json.load(handle), took


def test_server_text_cannot_forge_log_lines_or_flood_them(simulator, run_playbook, tmp_path):
    long_status = 'DEPLOYING' + PAYLOAD + 'x' * 10000
    simulator.load({'tasks': [
        {'id': 'inject-status', 'task_type': 'DEVICE' + PAYLOAD, 'timeline': [{'at': 0, 'status': long_status}]},
        {'id': 'inject-message', 'timeline': [{'at': 0, 'status': 'Failed', 'message': PAYLOAD}]},
        {'id': 'inject-device', 'timeline': [{'at': 0, 'status': 'Failed', 'message': 'one device failed'}],
         'sub_tasks': [{'target': {'id': 'd1', 'name': 'ftd' + PAYLOAD},
                        'timeline': [{'at': 0, 'status': 'FAILED', 'message': 'why' + PAYLOAD}]}]},
        {'id': 'inject-error', 'timeline': [{'at': 0, 'status': 'Running'}]}],
        'faults': [{'match': {'path': '/inject-error'}, 'status': 403, 'message': PAYLOAD, 'times': None}]})
    ids = ['inject-error', 'inject-status', 'inject-message', 'inject-device']
    played, results, _took = run_all(run_playbook, tmp_path, ids, token_env(simulator), timeout=3)
    output = played.output
    assert '\x1b' not in output and '\x07' not in output
    assert not FORGED.search(output), FORGED.search(output)
    # Every entry point failed and said why, with the server's text shown escaped.
    for name in ENTRY_POINTS:
        assert results[name]['failed'], name
    assert '\\x1b[2J\\x1b[H\\x1b]0;owned\\x07\\r\\nTASK [forged task] ***\\nok: [forged-host]' in results['module']['msg']
    msg = results['wait']['msg']
    assert 'device ftd\\x1b[2J' in msg and 'why\\x1b[2J' in msg and 'failed: \\x1b[2J' in msg
    assert all(char not in msg for char in '\x1b\r\n\u2028\u202e\u2069')
    # The progress lines and the warning about the unknown status: escaped, and cut at 500 characters per field.
    progress = [line for line in output.splitlines() if 'cdfmc_task_wait: task inject-status' in line]
    assert progress and all(len(line) < 1400 for line in progress)
    assert '[cut: %d characters in all]' % len(long_status) in progress[0]
    # Registered data stays exactly as the server sent it.
    by_id = dict((task['id'], task) for task in results['wait']['tasks'])
    assert by_id['inject-status']['status'] == long_status and by_id['inject-message']['message'] == PAYLOAD
    assert by_id['inject-device']['sub_tasks'][0]['target_name'] == 'ftd' + PAYLOAD


def hold_every_lock(directory):
    """A neighbour that holds every shared lock for ever (until killed)."""
    script = ('import fcntl, os, sys, time\n'
              'held = []\n'
              'for path in sys.argv[1:]:\n'
              '    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)\n'
              '    fcntl.flock(descriptor, fcntl.LOCK_EX)\n'
              '    held.append(descriptor)\n'
              'print("held", flush=True)\n'
              'time.sleep(3600)\n')
    paths = [str(directory / name) for name in os.listdir(directory) if name.endswith('.lock')]
    holder = subprocess.Popen([sys.executable, '-c', script] + sorted(set(paths)), stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == 'held'
    return holder, paths


def test_a_neighbour_holding_every_lock_for_ever_stops_no_entry_point(simulator, run_playbook, tmp_path):
    simulator.load(on_prem([running('t1', end=0.5)]))
    env = login_env(simulator)
    run_all(run_playbook, tmp_path, ['t1'], env, entry_points=['wait'])  # makes the shared files
    holder, paths = hold_every_lock(shared_directory(tmp_path))
    try:
        assert any('login-' in path for path in paths) and any(path.endswith('.pace.lock') for path in paths)
        for entry_point in ENTRY_POINTS:
            played, results, took = run_all(run_playbook, tmp_path, ['t1'], env, entry_points=[entry_point],
                                            timeout=60, request_timeout=5, max_retries=5)
            result = results[entry_point]
            assert not result.get('failed'), (entry_point, result)
            bound = 60 + 5 if entry_point == 'wait' else 6 * 5 + 5 * 120
            assert took < bound + SLACK, (entry_point, took)
            # Said once per process that went on alone, naming the directory.
            output = flat(played.output)
            assert 'a budget of its own' in output and 'logs in on its own' in output
            assert str(shared_directory(tmp_path)) in ''.join(output.split())  # 2.16 may wrap it at a hyphen
    finally:
        holder.kill()
        holder.wait()
    assert all(stat.S_ISREG(os.lstat(path).st_mode) for path in paths if os.path.exists(path))


def plant(path, kind):
    os.unlink(path)
    if kind == 'fifo':
        os.mkfifo(path, 0o600)
    elif kind == 'symlink to /dev/zero':
        os.symlink('/dev/zero', path)
    else:
        with open(path, 'w') as handle:
            handle.write('{"a":' * 3000 + '1' + '}' * 3000)
        os.chmod(path, 0o600)


STATE_FILES = re.compile(r'(\.pace|\.json|\.key)$')


def first_run(simulator, run_playbook, tmp_path):
    """One wait with a login, which leaves the shared state and lock files; returns its environment and their folder."""
    simulator.load(on_prem([running('t1', end=0.5)]))
    env = login_env(simulator)
    run_all(run_playbook, tmp_path, ['t1'], env, entry_points=['wait'])
    return env, shared_directory(tmp_path)


def every_entry_point_goes_on(run_playbook, tmp_path, env):
    """Run every entry point on t1: none fails, all end within their bounds; what they printed."""
    played, results, took = run_all(run_playbook, tmp_path, ['t1'], env, timeout=40, request_timeout=5)
    for entry_point in ENTRY_POINTS:
        assert not results[entry_point].get('failed'), (entry_point, results[entry_point])
    assert took < 3 * (40 + 5) + SLACK
    return played


@pytest.mark.parametrize('kind', ['fifo', 'symlink to /dev/zero', 'nested JSON'])
def test_state_files_planted_as_something_else_heal(simulator, run_playbook, tmp_path, kind):
    env, directory = first_run(simulator, run_playbook, tmp_path)
    names = [name for name in sorted(os.listdir(directory)) if STATE_FILES.search(name)]
    assert any(name.endswith('.pace') for name in names) and 'login.key' in names and len(names) == 3
    # The budget state and the login cache first, then the key (a new key names a new login cache).
    for planted in ([name for name in names if name != 'login.key'], ['login.key']):
        for name in planted:
            plant(str(directory / name), kind)
        played = every_entry_point_goes_on(run_playbook, tmp_path, env)
        # Each was replaced by a regular private file, under its lock, with a warning.
        for name in planted:
            info = os.lstat(directory / name)
            assert stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o600, name
        assert flat(played.output).count('has been replaced') >= len(planted)
    # Healed: the next run needs no repair and logs in from the cache.
    logins = simulator.auth_counts()[0]
    played, results, _took = run_all(run_playbook, tmp_path, ['t1'], env, entry_points=['wait'])
    assert not results['wait'].get('failed') and '[WARNING]' not in played.output
    assert simulator.auth_counts()[0] == logins


@pytest.mark.parametrize('kind', ['fifo', 'symlink to /dev/zero'])
def test_lock_files_planted_as_something_else_are_left_alone_and_runs_go_on(simulator, run_playbook, tmp_path, kind):
    env, directory = first_run(simulator, run_playbook, tmp_path)
    names = [name for name in sorted(os.listdir(directory)) if not STATE_FILES.search(name)]
    assert len(names) == 2 and all(name.endswith('.lock') for name in names)
    assert any(name.endswith('.pace.lock') for name in names) and any(name.startswith('login-') for name in names)
    for name in names:
        plant(str(directory / name), kind)
    played = every_entry_point_goes_on(run_playbook, tmp_path, env)
    # Never replaced (that would let two processes in at once): each process goes on alone, and says where.
    assert all(not stat.S_ISREG(os.lstat(directory / name).st_mode) for name in names)
    output = flat(played.output)
    assert 'a budget of its own' in output and 'logs in on its own' in output
    assert str(directory) in ''.join(output.split())  # 2.16 may wrap it at a hyphen


def test_a_hold_off_an_hour_ahead_in_the_shared_state_is_capped(simulator, run_playbook, tmp_path):
    simulator.load({'tasks': [running('t1', end=0.5)]})
    env = token_env(simulator)
    run_all(run_playbook, tmp_path, ['t1'], env, entry_points=['wait'])
    (state,) = [path for path in shared_directory(tmp_path).iterdir() if path.name.endswith('.pace')]
    state.write_text(json.dumps({'tat': time.monotonic() + 3600, 'held': time.monotonic() + 3600}))
    played, results, took = run_all(run_playbook, tmp_path, ['t1'], env, entry_points=['wait'], timeout=8,
                                    request_timeout=5)
    result = results['wait']
    assert result['failed'] and result['timed_out'] and took < 8 + 5 + SLACK
    assert 'the end of the hold-off the server asked for (HTTP 429)' in result['tasks'][0]['error']
    # What is left in the file is a hold of at most 120 s (and the burst), from the moment it was read.
    assert json.loads(state.read_text())['tat'] - time.monotonic() <= 120 + 5


def test_a_refresh_service_that_fails_is_followed_by_a_new_login(simulator, run_playbook, tmp_path):
    # Access tokens live 2 s: the wait meets 401s, its refresh answers 500 each time, and a new login follows.
    simulator.load(on_prem([running('t1', end=7)], lifetime=2,
                           faults=[{'match': {'path': '/refreshtoken'}, 'status': 500, 'times': None}]))
    _played, results, _took = run_all(run_playbook, tmp_path, ['t1'], login_env(simulator), entry_points=['wait'],
                                      timeout=60)
    assert results['wait']['all_succeeded']
    logins, refreshes = simulator.auth_counts()
    refresh_statuses = [r['status'] for r in simulator.requests() if r['path'].endswith('/refreshtoken')]
    assert logins >= 3 and refreshes == 0 and refresh_statuses and set(refresh_statuses) == {500}
    # No refresh was retried: each failed one is followed by a login.
    paths = [r['path'].rsplit('/', 1)[1] for r in simulator.requests() if '/auth/' in r['path']]
    assert all(later == 'generatetoken' for earlier, later in zip(paths, paths[1:]) if earlier == 'refreshtoken')


def test_an_answer_nested_900_levels_deep_is_a_bad_answer_and_the_result_comes_back(simulator, run_playbook,
                                                                                    tmp_path):
    deep = '{"id": "deep", "status": "Running", "x": %s}' % ('[' * 900 + ']' * 900)
    simulator.load({'tasks': [running('deep')],
                    'faults': [{'match': {'path': '/deep'}, 'action': 'raw', 'body': deep, 'times': None}]})
    played, results, _took = run_all(run_playbook, tmp_path, ['deep'], token_env(simulator), timeout=3,
                                     request_timeout=5, max_retries=0)
    assert 'queue send failure' not in played.output and 'recursion' not in played.output
    assert 'HTTP 200 with JSON nested deeper than 64 levels' in results['wait']['tasks'][0]['error']
    assert 'nested deeper than 64 levels' in results['module']['msg']
    assert 'nested deeper than 64 levels' in results['lookup']['msg']


def deploy_fleet(**extra):
    return dict({'deployment': {'step_seconds': 0.3, 'list_lag': 0.5},
                 'devices': [{'id': 'dev-1', 'name': 'ftd-1', 'pending': ['ACP']},
                             {'id': 'dev-2', 'name': 'ftd-2', 'pending': ['ACP']}]}, **extra)


def run_deploy(run_playbook, tmp_path, devices, **options):
    """Run deploy.yml once (cdfmc_deploy); (PlaybookResult, its registered result, seconds it took)."""
    result_dir = tmp_path / ('deploy-%d' % len(list(tmp_path.glob('deploy-*'))))
    result_dir.mkdir()
    deploy_options = dict({'devices': devices, 'poll_interval': 0.3, 'max_poll_interval': 0.6, 'pending_grace': 0,
                           'settle_timeout': 5}, **options)
    started = time.monotonic()
    played = run_playbook('deploy.yml', {'deploy_options': deploy_options, 'result_dir': str(result_dir)})
    took = time.monotonic() - started
    with open(result_dir / 'localhost.json') as handle:
        return played, json.load(handle)['deployed'], took


def test_a_neighbour_holding_the_deployment_lock_for_ever_costs_the_timeout_and_sends_nothing(
        simulator, run_playbook, tmp_path):
    simulator.load(deploy_fleet())
    _played, first, _took = run_deploy(run_playbook, tmp_path, ['ftd-1'])  # makes the shared files
    assert first['changed'] and not first.get('failed')
    holder, paths = hold_every_lock(shared_directory(tmp_path))
    try:
        assert any(path.endswith('.deploy.lock') for path in paths)
        _played, result, took = run_deploy(run_playbook, tmp_path, ['ftd-2'], timeout=8, request_timeout=5)
    finally:
        holder.kill()
        holder.wait()
    assert result['failed'] and not result['changed']
    assert 'the timeout came while another fork of this host was requesting a deployment' in result['msg']
    assert took < 8 + 5 + SLACK
    assert len([r for r in simulator.requests() if r['path'].endswith('/deploymentrequests')]) == 1  # the first


@pytest.mark.parametrize('kind', ['fifo', 'symlink to /dev/zero'])
def test_a_deployment_lock_planted_as_something_else_is_left_alone_and_the_deployment_goes_on(
        simulator, run_playbook, tmp_path, kind):
    simulator.load(deploy_fleet())
    run_deploy(run_playbook, tmp_path, ['ftd-1'])
    directory = shared_directory(tmp_path)
    (name,) = [name for name in os.listdir(directory) if name.endswith('.deploy.lock')]
    plant(str(directory / name), kind)
    played, result, _took = run_deploy(run_playbook, tmp_path, ['ftd-2'], timeout=60, request_timeout=5)
    assert result['changed'] and not result.get('failed'), result['msg']
    assert 'the deployment lock cannot be used' in flat(played.output)
    assert not stat.S_ISREG(os.lstat(directory / name).st_mode)  # never replaced


def test_deployment_text_from_the_server_cannot_forge_log_lines(simulator, run_playbook, tmp_path):
    simulator.load(deploy_fleet(devices=[
        {'id': 'dev-1', 'name': 'ftd' + PAYLOAD, 'pending': ['ACP' + PAYLOAD], 'outcome': 'failed',
         'message': 'why' + PAYLOAD},
        {'id': 'dev-2', 'name': 'ftd-2', 'pending': ['ACP'], 'warnings': ['rule' + PAYLOAD]}]))
    played, failed, _took = run_deploy(run_playbook, tmp_path, ['dev-1'], timeout=60)
    played_warned, warned, _took = run_deploy(run_playbook, tmp_path, ['ftd-2'], timeout=60)
    for output in (played.output, played_warned.output):
        assert '\x1b' not in output and '\x07' not in output
        assert not FORGED.search(output), FORGED.search(output)
    assert failed['failed'] and 'device ftd\\x1b[2J' in failed['msg'] and 'why\\x1b[2J' in failed['msg']
    assert warned['failed'] and 'rule\\x1b[2J' in warned['msg'] and 'Set ignore_warnings: true' in warned['msg']
    for msg in (failed['msg'], warned['msg']):
        assert all(char not in msg for char in '\x1b\r\n\u2028\u202e\u2069')
    # Registered data stays exactly as the server sent it.
    assert failed['deployed'][0]['name'] == 'ftd' + PAYLOAD and failed['deployed'][0]['policies'] == ['ACP' + PAYLOAD]
