# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""On-prem FMC: login, token refresh and renewal, the domain by name, forks sharing one login."""

PASSWORD = 'Int3gr4tion-P4ssw0rd'
SITE_A = '9f0c2a4e-0000-4000-8000-00000000000a'
DOMAINS = [{'name': 'Global', 'uuid': 'e276abec-e0f2-11e3-8169-6d9ed49b625f'}, {'name': 'Global/Site-A', 'uuid': SITE_A}]


def scenario(lifetime, end):
    return {'auth': {'mode': 'fmc', 'username': 'apiuser', 'password': PASSWORD, 'token_lifetime': lifetime},
            'domains': DOMAINS,
            'tasks': [{'id': 'reg-1', 'task_type': 'DEVICE_REGISTRATION', 'starts': 'first_request',
                       'timeline': [{'at': 0, 'status': 'Running'}, {'at': end, 'status': 'Success'}]}]}


def test_a_wait_longer_than_four_token_lifetimes_succeeds(simulator, run_playbook, tmp_path):
    # Seven lifetimes: three refreshes and the new login that must follow come with time to spare.
    simulator.load(scenario(lifetime=2, end=14))
    log_file = tmp_path / 'ansible.log'
    played = run_playbook('on_prem.yml', {'task_id': 'reg-1'}, verbosity=4,
                          env={'CDFMC_USERNAME': 'apiuser', 'CDFMC_PASSWORD': PASSWORD,
                               'ANSIBLE_LOG_PATH': str(log_file)})
    logins, refreshes = simulator.auth_counts()
    assert refreshes >= 3 and logins >= 2  # the refresh limit was reached, and a new login followed
    log = simulator.requests()
    task_reads = [r for r in log if '/taskstatuses/' in r['path']]
    assert all(r['path'].startswith('/api/fmc_config/v1/domain/%s/' % SITE_A) for r in task_reads)
    assert task_reads[-1]['status'] == 200
    for text in (played.output, log_file.read_text()):
        assert PASSWORD not in text


def test_forks_share_one_login(simulator, run_playbook):
    simulator.load(scenario(lifetime=1800, end=2))
    run_playbook('on_prem.yml', {'task_id': 'reg-1'}, hosts=5,
                 env={'CDFMC_USERNAME': 'apiuser', 'CDFMC_PASSWORD': PASSWORD})
    assert simulator.auth_counts() == (1, 0)


def test_a_wrong_password_is_one_clear_failure(simulator, run_playbook):
    simulator.load(scenario(lifetime=1800, end=2))
    played = run_playbook('on_prem.yml', {'task_id': 'reg-1'}, expect_rc=2,
                          env={'CDFMC_USERNAME': 'apiuser', 'CDFMC_PASSWORD': 'not-the-password'})
    assert 'login as apiuser on https://127.0.0.1' in played.stdout and 'check username and password' in played.stdout
    assert 'not-the-password' not in played.output
    assert len(simulator.requests()) == 1
