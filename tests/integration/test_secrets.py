# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""No secret in any output at any verbosity, in the log file, or in any file the run leaves behind."""

import base64
import os
import re

import pytest

from conftest import TOKEN

PASSWORD = 'Sc4n-Me-P4ssw0rd'
WRONG_TOKEN = 'Wr0ng-T0ken-F0r-Sc4n'
WRONG_PASSWORD = 'Wr0ng-P4ssw0rd-F0r-Sc4n'
TASKS = [
    {'id': 'done', 'timeline': [{'at': 0, 'status': 'Success'}]},
    {'id': 'broken', 'timeline': [{'at': 0, 'status': 'Running'}]},
    {'id': 'slow', 'timeline': [{'at': 0, 'status': 'Running'}]},
    {'id': 'forever', 'timeline': [{'at': 0, 'status': 'Running'}]},
    {'id': 'refused', 'timeline': [{'at': 0, 'status': 'Running'}]},
]
FAULTS = [{'match': {'path': '/broken'}, 'status': 500, 'times': None},
          {'match': {'path': '/refused'}, 'status': 401, 'times': None},
          {'match': {'path': '/slow'}, 'action': 'slow', 'delay': 2, 'times': None}]


def files_under(directory):
    for root, _directories, names in os.walk(directory):
        for name in names:
            path = os.path.join(root, name)
            if os.path.isfile(path) and not os.path.islink(path):
                yield path


@pytest.mark.parametrize('mode', ['token', 'login'])
def test_no_secret_anywhere_at_vvvv(simulator, run_playbook, tmp_path, mode):
    scenario = {'tasks': TASKS, 'faults': FAULTS}
    if mode == 'login':
        # Short-lived tokens: the run sees refreshes and new logins, so rotated tokens are scanned for too.
        scenario['auth'] = {'mode': 'fmc', 'username': 'apiuser', 'password': PASSWORD, 'token_lifetime': 1.5}
        credentials = {'username': 'apiuser', 'password': PASSWORD}
    else:
        credentials = {'api_token': TOKEN}
    simulator.load(scenario)
    log_file = tmp_path / 'ansible.log'
    played = run_playbook('secrets.yml', {'credentials': credentials, 'wrong_token': WRONG_TOKEN,
                                          'wrong_password': WRONG_PASSWORD},
                          verbosity=4, env={'ANSIBLE_LOG_PATH': str(log_file), 'ANSIBLE_KEEP_REMOTE_FILES': '0'})

    secrets = [TOKEN, PASSWORD, WRONG_TOKEN, WRONG_PASSWORD]
    secrets += [base64.b64encode(('%s:%s' % (user, password)).encode()).decode()
                for user in ('apiuser', 'someone-else') for password in (PASSWORD, WRONG_PASSWORD)]
    # Every token the server handed out lives in the login cache (that is what it is for), and nowhere else.
    login_caches = [p for p in files_under(tmp_path) if os.path.basename(p).startswith('login-') and p.endswith('.json')]
    if mode == 'login':
        assert login_caches
        logins, refreshes, issued = simulator.auth_issued()
        assert refreshes >= 1 and len(issued) >= 4
        secrets += issued
    texts = {'stdout': played.stdout, 'stderr': played.stderr, 'log': log_file.read_text()}
    for path in files_under(tmp_path):
        if re.match(r'(vars-\d+\.json|inventory-\d+\.ini)$', os.path.basename(path)):
            continue  # the test's own input to ansible-playbook
        if path in login_caches:
            with open(path) as handle:
                content = handle.read()
            assert PASSWORD not in content and WRONG_PASSWORD not in content
            continue
        with open(path, 'rb') as handle:
            texts[path] = handle.read().decode('utf-8', errors='replace')
    assert len(texts) > 4  # the log, the budget files and ansible's own files were all read
    assert (tmp_path / 'ansible-remote').is_dir()  # the modules' temp dir was used, and scanned
    for where, text in texts.items():
        for secret in secrets:
            assert secret not in text, '%s holds a secret' % where
