# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""budget_url through real ansible-playbook runs: two "jobs" (each with a temporary directory of its own, as
AWX jobs in separate containers) keep one pace through a real redis-server of the test's own, share one on-prem
login, and go on alone, with one warning and no secret shown, when the store cannot be used."""

import json
import os
import re

import pytest

from ansible.release import __version__ as ANSIBLE_CORE

from test_awx_credentials import inject, load as load_type

CORE = tuple(int(part) for part in re.findall(r'\d+', ANSIBLE_CORE)[:2])
pytestmark = pytest.mark.skipif(CORE < (2, 19), reason='the shared store runs on the newest ansible-core leg only '
                                '(2.19 and later)')

PER_MINUTE = 30
TASKS_END = 16  # seconds after the scenario is loaded


def scenario(ids):
    timeline = [{'at': 0, 'status': 'Running'}, {'at': TASKS_END, 'status': 'Success'}]
    return {'tasks': [{'id': task, 'timeline': timeline} for task in ids]}


def job(run_playbook, tmp_path, name, ids, env, verbosity=0, **options):
    """One job, started: a temporary directory of its own (so a file store of its own), the store in env."""
    own_tmp = tmp_path / name
    own_tmp.mkdir()
    results = tmp_path / ('results-' + name)
    results.mkdir()
    options = dict({'max_requests_per_minute': PER_MINUTE, 'poll_interval': 1, 'max_poll_interval': 1,
                    'timeout': 120}, **options)
    process = run_playbook('wait.yml', {'ids': ids, 'wait_options': options, 'result_dir': str(results)},
                           env=dict(env, TMPDIR=str(own_tmp)), verbosity=verbosity, popen=True)
    return process, results


def finish(process, results):
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stdout[-4000:] + stderr[-2000:]
    with open(results / 'localhost.json') as handle:
        return json.load(handle), stdout + stderr


def succeeded(result):
    return not result.get('failed') and result['tasks'] and all(task['state'] == 'succeeded' for task in result['tasks'])


def most_in_any_window(times, window=61.0):
    return max(sum(1 for other in times if start <= other < start + window) for start in times)


def test_two_jobs_keep_one_pace_through_redis(run_playbook, simulator, redis_server, tmp_path):
    simulator.load(scenario(['a1', 'a2', 'a3', 'b1', 'b2', 'b3']))
    env = inject(load_type('cdfmc_budget_store.yml'), {'budget_url': redis_server.url()}, tmp_path)
    first = job(run_playbook, tmp_path, 'job-a', ['a1', 'a2', 'a3'], env)
    second = job(run_playbook, tmp_path, 'job-b', ['b1', 'b2', 'b3'], env)
    (result_a, output_a), (result_b, output_b) = finish(*first), finish(*second)
    assert succeeded(result_a) and succeeded(result_b), (result_a, result_b)
    for output in (output_a, output_b):
        assert 'shared store' not in output and redis_server.password not in output
    times = sorted(entry['time'] for entry in simulator.requests())
    # One pace for both (burst 1, then one start per 61/29 s): alone, each job would start this many on its own.
    interval = 61.0 / (PER_MINUTE - 1)
    assert len(times) <= 1 + (times[-1] - times[0]) / interval + 1, times
    assert most_in_any_window(times) <= PER_MINUTE
    assert all(entry['status'] != 429 for entry in simulator.requests())
    admin = redis_server.admin()
    keys = sorted(admin.keys('*'))
    assert keys and all(key.startswith('cdfmc:{') for key in keys), keys
    assert all(0 < admin.pttl(key) for key in keys)  # every key has an expiry


def test_two_on_prem_jobs_share_one_login_through_redis(run_playbook, simulator, redis_server, tmp_path):
    login = {'mode': 'fmc', 'username': 'apiuser', 'password': 'Login-Secret-1', 'token_lifetime': 1800}
    simulator.load(dict(scenario(['a1', 'b1']), auth=login))
    env = inject(load_type('cdfmc_budget_store.yml'), {'budget_url': redis_server.url()}, tmp_path)
    env.update(CDFMC_USERNAME=login['username'], CDFMC_PASSWORD=login['password'])
    on_prem = {'base_url': simulator.url, 'api_token': ''}  # wait.yml's token is dropped: the login is used
    first = job(run_playbook, tmp_path, 'job-a', ['a1'], env, **on_prem)
    second = job(run_playbook, tmp_path, 'job-b', ['b1'], env, **on_prem)
    (result_a, output_a), (result_b, output_b) = finish(*first), finish(*second)
    assert succeeded(result_a) and succeeded(result_b), (result_a, result_b)
    logins, _refreshes = simulator.auth_counts()
    assert logins == 1
    admin = redis_server.admin()
    stored = [admin.get(key) for key in admin.keys('cdfmc:*:login:*') if not key.endswith(':lock')]
    assert stored and not any(login['password'] in value for value in stored)
    for token in simulator.auth_issued()[2]:
        assert not any(token in value for value in stored)  # the tokens are stored encrypted
        assert token not in output_a and token not in output_b


@pytest.mark.parametrize('fault', ['closed port', 'wrong password', 'closed port, on-prem login'])
def test_a_store_that_cannot_be_used_leaves_the_run_going_with_one_warning(
        run_playbook, simulator, redis_server, closed_port, tmp_path, fault):
    env, options = {}, {}
    if fault.endswith('login'):  # the budget and the login cache both meet the fault: one warning still
        login = {'mode': 'fmc', 'username': 'apiuser', 'password': 'Login-Secret-2', 'token_lifetime': 1800}
        simulator.load(dict(scenario(['a1', 'a2']), auth=login))
        env = {'CDFMC_USERNAME': login['username'], 'CDFMC_PASSWORD': login['password']}
        options = {'base_url': simulator.url, 'api_token': ''}
    else:
        simulator.load(scenario(['a1', 'a2']))
    if fault.startswith('closed port'):
        url = 'redis://cdfmc:%s@127.0.0.1:%d/0' % ('Closed-Port-Secret', closed_port)
        secret = 'Closed-Port-Secret'
    else:
        url, secret = redis_server.url(password='Wrong-Secret-9'), 'Wrong-Secret-9'
    env['CDFMC_BUDGET_URL'] = url
    process, results = job(run_playbook, tmp_path, 'job', ['a1', 'a2'], env, verbosity=3, **options)
    result, output = finish(process, results)
    assert succeeded(result), result
    assert output.count('cannot be used') == 1, output[-4000:]
    warning = [line for line in output.splitlines() if 'cannot be used' in line][0]
    assert '127.0.0.1' in warning and ('refused' in warning if fault.startswith('closed') else 'authentication' in warning)
    assert secret not in output and 'Login-Secret-2' not in output
    assert os.listdir(tmp_path / 'job')  # the host's own budget was used meanwhile
