# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""On-prem FMC login against the simulator's on-prem mode (real HTTPS)."""

import json
import stat
import time

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils._auth import FmcLoginAuth
from ansible_collections.cisco.cdfmc.plugins.module_utils._client import CdfmcClient
from ansible_collections.cisco.cdfmc.plugins.module_utils._connection import ConnectionSettings
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError, CdfmcRequestError

PASSWORD = 'S3cret-Passw0rd'
SITE_A = '9f0c2a4e-0000-4000-8000-00000000000a'
DOMAINS = [{'name': 'Global', 'uuid': 'e276abec-e0f2-11e3-8169-6d9ed49b625f'}, {'name': 'Global/Site-A', 'uuid': SITE_A}]
TASK = {'id': 't1', 'task_type': 'DEVICE_REGISTRATION', 'timeline': [{'at': 0, 'status': 'Success'}]}


def on_prem(simulator, lifetime=1800, tasks=(TASK,), **extra):
    scenario = {'auth': {'mode': 'fmc', 'username': 'apiuser', 'password': PASSWORD, 'token_lifetime': lifetime},
                'domains': DOMAINS, 'tasks': list(tasks)}
    scenario.update(extra)
    simulator.load(scenario)


def login_client(simulator, tmp_path, clock=time.time, **options):
    options.setdefault('username', 'apiuser')
    options.setdefault('password', PASSWORD)
    settings = ConnectionSettings.from_options(dict({'base_url': simulator.url, 'ca_path': simulator.ca_file}, **options))
    auth = FmcLoginAuth(settings, directory=str(tmp_path), clock=clock)
    return CdfmcClient(settings, auth=auth, sleep=lambda seconds: None)


def auth_counts(simulator):
    return simulator.server.simulator.logins, simulator.server.simulator.refreshes


def test_login_then_read_in_the_login_domain(simulator, tmp_path):
    on_prem(simulator, domains=list(reversed(DOMAINS)))
    with login_client(simulator, tmp_path) as client:
        # The login's DOMAIN_UUID is Site-A here (the first of the simulator's domains).
        assert client.get_task_status('t1')['status'] == 'Success'
    paths = [r['path'] for r in simulator.requests]
    assert paths[0] == '/api/fmc_platform/v1/auth/generatetoken'
    assert paths[1] == '/api/fmc_config/v1/domain/%s/job/taskstatuses/t1' % SITE_A
    assert auth_counts(simulator) == (1, 0) and simulator.requests[1]['authorized']


def test_domain_by_name_from_the_login(simulator, tmp_path):
    on_prem(simulator)
    with login_client(simulator, tmp_path, domain='global/site-a') as client:
        client.resolve_domain()
        assert client.resolve_domain() == SITE_A
    with login_client(simulator, tmp_path, domain='Nowhere') as client:
        with pytest.raises(CdfmcOptionError, match="'Nowhere' is not a domain of .*: Global, Global/Site-A"):
            client.resolve_domain()


def test_domain_by_name_on_a_cdfmc(simulator):
    simulator.load({'domains': DOMAINS, 'tasks': [TASK]})
    settings = ConnectionSettings.from_options({'base_url': simulator.url, 'api_token': 'sim-token',
                                                'ca_path': simulator.ca_file, 'domain': 'Global/Site-A'})
    with CdfmcClient(settings) as client:
        assert client.resolve_domain() == SITE_A
    assert simulator.requests[0]['path'] == '/api/fmc_platform/v1/info/domain'


def test_an_expired_token_is_refreshed_three_times_then_a_new_login(simulator, tmp_path):
    on_prem(simulator, lifetime=0.3)
    with login_client(simulator, tmp_path, domain_uuid=DOMAINS[0]['uuid']) as client:
        for _number in range(6):
            assert client.get_task_status('t1')['status'] == 'Success'
            time.sleep(0.35)
    # Login, three refreshes, then a new login (its refresh count starts over) and one more refresh.
    assert auth_counts(simulator) == (2, 4)
    auth_paths = [r['path'].rsplit('/', 1)[1] for r in simulator.requests if '/auth/' in r['path']]
    assert auth_paths == ['generatetoken'] + ['refreshtoken'] * 3 + ['generatetoken', 'refreshtoken']
    statuses = [r['status'] for r in simulator.requests if '/taskstatuses/' in r['path']]
    assert statuses.count(200) == 6 and set(statuses) == {200, 401}


def test_renewal_before_the_assumed_expiry_avoids_the_401(simulator, tmp_path):
    on_prem(simulator)
    now = [1_000_000.0]
    with login_client(simulator, tmp_path, clock=lambda: now[0], domain_uuid=DOMAINS[0]['uuid']) as client:
        client.get_task_status('t1')
        now[0] += 26 * 60  # 4 minutes before the 30 assumed: renewed ahead
        client.get_task_status('t1')
    assert auth_counts(simulator) == (1, 1)
    assert [r['status'] for r in simulator.requests] == [204, 200, 204, 200]


def test_forks_share_one_login_through_the_cache(simulator, tmp_path):
    on_prem(simulator)
    for _number in range(3):
        with login_client(simulator, tmp_path, domain_uuid=DOMAINS[0]['uuid']) as client:
            client.get_task_status('t1')
    assert auth_counts(simulator) == (1, 0)
    (cache,) = [p for p in tmp_path.iterdir() if p.name.endswith('.json')]
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    content = cache.read_text()
    assert PASSWORD not in content and 'apiuser' not in cache.name and set(json.loads(content)) >= {'access', 'refresh'}


def test_a_token_refused_for_another_reason_is_renewed_once(simulator, tmp_path):
    on_prem(simulator)
    with login_client(simulator, tmp_path, domain_uuid=DOMAINS[0]['uuid']) as client:
        client.get_task_status('t1')
        simulator.server.simulator.access_tokens.clear()  # the server forgot every token (a restart)
        assert client.get_task_status('t1')['status'] == 'Success'
    assert auth_counts(simulator)[0] + auth_counts(simulator)[1] == 2


def test_wrong_password_is_one_clear_error_without_the_password(simulator, tmp_path):
    on_prem(simulator)
    with login_client(simulator, tmp_path, password='Wr0ng-Passw0rd') as client:
        with pytest.raises(CdfmcRequestError) as caught:
            client.get_task_status('t1')
    message = str(caught.value)
    assert 'login as apiuser on https://127.0.0.1' in message and 'check username and password' in message
    assert 'Wr0ng-Passw0rd' not in message and len(simulator.requests) == 1


def test_a_cdfmc_answering_a_login_is_reported(simulator, tmp_path):
    simulator.load({'tasks': [TASK]})  # token mode: no login endpoint
    with login_client(simulator, tmp_path) as client:
        with pytest.raises(CdfmcRequestError, match='HTTP 404'):
            client.get_task_status('t1')


@pytest.mark.parametrize('options,message', [
    ({'api_token': 'x', 'username': 'u', 'password': 'p'}, 'mutually exclusive'),
    ({'username': 'u'}, 'both username and password'),
    ({'password': 'p'}, 'both username and password'),
    ({'region': 'us', 'username': 'u', 'password': 'p'}, 'region is for a cdFMC'),
    ({'username': 'a:b', 'password': 'p'}, 'username must not contain'),
    ({'api_token': 'x', 'domain': 'Global', 'domain_uuid': 'abc'}, 'domain_uuid and domain are mutually exclusive'),
])
def test_credential_options_refused(options, message):
    options = dict(options)
    if 'region' not in options:
        options['base_url'] = 'https://fmc.example.com'
    with pytest.raises(CdfmcOptionError, match=message) as caught:
        ConnectionSettings.from_options(options)
    assert "'p'" not in str(caught.value)


def test_login_defaults_the_domain_to_the_login():
    settings = ConnectionSettings.from_options({'base_url': 'https://fmc.example.com', 'username': 'u',
                                                'password': PASSWORD})
    assert settings.uses_login and settings.domain_uuid is None and settings.api_prefix == '/api'
    assert PASSWORD not in repr(settings)


def test_threads_of_one_process_renew_once(simulator, tmp_path):
    import threading
    on_prem(simulator)
    errors = []
    with login_client(simulator, tmp_path, domain_uuid=DOMAINS[0]['uuid']) as client:
        def read():
            try:
                client.get_task_status('t1')
            except Exception as exc:  # pylint: disable=broad-except
                errors.append(exc)
        threads = [threading.Thread(target=read) for _number in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert errors == [] and auth_counts(simulator) == (1, 0)
