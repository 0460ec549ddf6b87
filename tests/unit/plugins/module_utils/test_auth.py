# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""On-prem FMC login against the simulator's on-prem mode (real HTTPS)."""

import contextlib
import json
import os
import stat
import time

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils import _auth
from ansible_collections.cisco.cdfmc.plugins.module_utils._auth import FmcLoginAuth
from ansible_collections.cisco.cdfmc.plugins.module_utils._client import CdfmcClient
from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import Deadline
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError, CdfmcRequestError
from support import FakeClock, connection_settings

PASSWORD = 'S3cret-Passw0rd'
SITE_A = '9f0c2a4e-0000-4000-8000-00000000000a'
DOMAINS = [{'name': 'Global', 'uuid': 'e276abec-e0f2-11e3-8169-6d9ed49b625f'}, {'name': 'Global/Site-A', 'uuid': SITE_A}]
TASK = {'id': 't1', 'task_type': 'DEVICE_REGISTRATION', 'timeline': [{'at': 0, 'status': 'Success'}]}


def on_prem(simulator, lifetime=1800, tasks=(TASK,), **extra):
    scenario = {'auth': {'mode': 'fmc', 'username': 'apiuser', 'password': PASSWORD, 'token_lifetime': lifetime},
                'domains': DOMAINS, 'tasks': list(tasks)}
    scenario.update(extra)
    simulator.load(scenario)


def login_client(simulator, tmp_path, clock=None, **options):
    """An on-prem client on a fake clock (``clock``; by default one whose wall clock starts at the real time)."""
    options.setdefault('username', 'apiuser')
    options.setdefault('password', PASSWORD)
    settings = connection_settings(base_url=simulator.url, ca_path=simulator.ca_file, **options)
    clock = clock or FakeClock(wall=time.time())
    auth = FmcLoginAuth(settings, directory=str(tmp_path), clock=clock)
    return CdfmcClient(settings, auth=auth, clock=clock)


class FakeClockSimulator:
    """The same face as the simulator fixture, for a server of the test's own."""

    def __init__(self, server, url, ca_file):
        self.server, self.url, self.ca_file = server, url, ca_file

    def load(self, scenario):
        self.server.simulator.load(scenario)

    @property
    def requests(self):
        return self.server.simulator.request_log()


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


def test_a_domain_uuid_that_the_login_does_not_list_is_refused_before_any_task_request(simulator, tmp_path):
    on_prem(simulator)
    with login_client(simulator, tmp_path, domain_uuid='00000000-dead-4000-8000-000000000000') as client:
        with pytest.raises(CdfmcOptionError) as caught:
            client.get_task_status('t1')
    assert ('domain_uuid 00000000-dead-4000-8000-000000000000 is not one of the domains that apiuser on %s may use: '
            'Global (e276abec-e0f2-11e3-8169-6d9ed49b625f), Global/Site-A (%s)' % (simulator.url, SITE_A)) \
        in str(caught.value)
    assert [r['path'] for r in simulator.requests] == ['/api/fmc_platform/v1/auth/generatetoken']
    with login_client(simulator, tmp_path, domain_uuid=SITE_A.upper()) as client:
        assert client.get_task_status('t1')['status'] == 'Success'


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
    settings = connection_settings(base_url=simulator.url, api_token='sim-token', ca_path=simulator.ca_file,
                                   domain='Global/Site-A')
    with CdfmcClient(settings) as client:
        assert client.resolve_domain() == SITE_A
    assert simulator.requests[0]['path'] == '/api/fmc_platform/v1/info/domain'


def test_an_expired_token_is_refreshed_three_times_then_a_new_login(certificates, tmp_path):
    from cdfmc_simulator.server import serve_in_thread
    # The server's clock is a fake one: a token expires exactly when the test says, however slow the machine.
    now = [5000.0]
    server, url = serve_in_thread(cert_file=certificates['cert_file'], key_file=certificates['key_file'],
                                  clock=lambda: now[0])
    sim = FakeClockSimulator(server, url, certificates['ca_file'])
    try:
        on_prem(sim, lifetime=10)
        with login_client(sim, tmp_path, domain_uuid=DOMAINS[0]['uuid']) as client:
            for _number in range(6):
                assert client.get_task_status('t1')['status'] == 'Success'
                now[0] += 11
        # Login, three refreshes, then a new login (its refresh count starts over) and one more refresh.
        assert auth_counts(sim) == (2, 4)
        auth_paths = [r['path'].rsplit('/', 1)[1] for r in sim.requests if '/auth/' in r['path']]
        assert auth_paths == ['generatetoken'] + ['refreshtoken'] * 3 + ['generatetoken', 'refreshtoken']
    finally:
        server.shutdown()
        server.server_close()


def test_renewal_before_the_assumed_expiry_avoids_the_401(simulator, tmp_path):
    on_prem(simulator)
    clock = FakeClock(wall=1_000_000.0)
    with login_client(simulator, tmp_path, clock=clock, domain_uuid=DOMAINS[0]['uuid']) as client:
        client.get_task_status('t1')
        clock.advance(26 * 60)  # 4 minutes before the 30 assumed: renewed ahead
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
        connection_settings(**options)
    assert "'p'" not in str(caught.value)


def test_login_defaults_the_domain_to_the_login():
    settings = connection_settings(base_url='https://fmc.example.com', username='u', password=PASSWORD)
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


def test_forks_renewing_at_once_share_the_refresh(simulator, tmp_path):
    # Two forks (two authenticators, one cache); the server kills a token once it is refreshed.
    on_prem(simulator)
    clock = FakeClock(wall=1_000_000.0)
    first = login_client(simulator, tmp_path, clock=clock, domain_uuid=DOMAINS[0]['uuid'])
    second = login_client(simulator, tmp_path, clock=clock, domain_uuid=DOMAINS[0]['uuid'])
    first.get_task_status('t1')
    second.get_task_status('t1')
    clock.advance(26 * 60)
    first.get_task_status('t1')   # refreshes; the old token dies on the server
    second.get_task_status('t1')  # takes the refreshed token from the cache, no refresh of its own
    assert auth_counts(simulator) == (1, 1)
    assert all(r['status'] in (200, 204) for r in simulator.requests)


def test_a_wrong_password_never_reuses_a_cached_login(simulator, tmp_path):
    on_prem(simulator)
    with login_client(simulator, tmp_path, domain_uuid=DOMAINS[0]['uuid']) as client:
        client.get_task_status('t1')
    with login_client(simulator, tmp_path, password='Not-The-Passw0rd', domain_uuid=DOMAINS[0]['uuid']) as client:
        with pytest.raises(CdfmcRequestError, match='check username and password'):
            client.get_task_status('t1')
    for path in tmp_path.iterdir():
        assert PASSWORD not in path.read_bytes().decode('latin-1') and PASSWORD not in path.name


def test_a_non_latin1_password_logs_in(simulator, tmp_path):
    on_prem(simulator, auth={'mode': 'fmc', 'username': 'apiuser', 'password': 'Pässwört-€-1', 'token_lifetime': 60})
    with login_client(simulator, tmp_path, password='Pässwört-€-1', domain_uuid=DOMAINS[0]['uuid']) as client:
        assert client.get_task_status('t1')['status'] == 'Success'


@pytest.mark.parametrize('cached', ['{"access": "a"}', '[1]', 'not json',
                                    '{"access": "a", "refresh": "r", "obtained": 0, "refreshes": 0, '
                                    '"domains": "Global", "domain_uuid": null}',
                                    '{"access": "a", "refresh": "r", "obtained": 0, "refreshes": 0, '
                                    '"domains": [1, 2], "domain_uuid": null}'])
def test_a_broken_cache_means_a_new_login(simulator, tmp_path, cached):
    on_prem(simulator)
    client = login_client(simulator, tmp_path, domain='Global/Site-A')
    with open(client.auth.cache.path, 'w') as handle:
        handle.write(cached)
    with client:
        assert client.resolve_domain() == SITE_A
    assert auth_counts(simulator) == (1, 0)


def test_domains_beyond_the_first_page_are_found(simulator):
    many = [{'name': 'Global/Site-%02d' % n, 'uuid': 'site-%02d' % n} for n in range(40)]
    simulator.load({'domains': many, 'tasks': [TASK]})
    settings = connection_settings(base_url=simulator.url, api_token='sim-token', ca_path=simulator.ca_file,
                                   domain='Global/Site-39')
    with CdfmcClient(settings) as client:
        assert client.resolve_domain() == 'site-39'


def test_an_ambiguous_domain_name_says_so(simulator):
    simulator.load({'domains': [{'name': 'Global/Lab', 'uuid': 'a'}, {'name': 'Global/LAB', 'uuid': 'b'}]})
    settings = connection_settings(base_url=simulator.url, api_token='sim-token', ca_path=simulator.ca_file,
                                   domain='global/lab')
    with CdfmcClient(settings) as client:
        with pytest.raises(CdfmcOptionError, match='matches several domains'):
            client.resolve_domain()


def test_a_renewal_never_waits_on_a_thread_that_holds_the_only_slot(simulator, tmp_path):
    # Thread B holds the only request slot while thread A starts a renewal that needs a slot too: the
    # auth hook B runs must not wait on A's renewal lock (it once did, and both hung).
    import contextlib
    import threading
    from ansible_collections.cisco.cdfmc.plugins.module_utils._budget import RequestBudget
    on_prem(simulator)
    clock = FakeClock(wall=1_000_000.0)  # the login's wall clock; the requests and the budget run in real time
    settings = connection_settings(base_url=simulator.url, ca_path=simulator.ca_file, username='apiuser',
                                   password=PASSWORD, domain_uuid=DOMAINS[0]['uuid'], max_concurrent_requests=1)
    auth = FmcLoginAuth(settings, directory=str(tmp_path), clock=clock)
    budget = RequestBudget(settings, directory=str(tmp_path))
    b_has_slot = threading.Event()
    plain_request = budget.request

    @contextlib.contextmanager
    def request(deadline=None):
        with plain_request(deadline):
            if threading.current_thread().name == 'B':
                b_has_slot.set()
                time.sleep(0.5)  # A begins its renewal meanwhile
            yield

    budget.request = request
    client = CdfmcClient(settings, auth=auth, budget=budget)
    client.get_task_status('t1')
    outcome = {}

    def read(name):
        try:
            outcome[name] = client.get_task_status('t1', deadline=Deadline(8))['status']
        except Exception as exc:  # pylint: disable=broad-except
            outcome[name] = repr(exc)

    second = threading.Thread(target=read, args=('B',), name='B')
    second.start()
    b_has_slot.wait(10)
    clock.advance(26 * 60)  # the token is due for renewal
    first = threading.Thread(target=read, args=('A',), name='A')
    first.start()
    first.join(20)
    second.join(20)
    client.close()
    assert outcome == {'A': 'Success', 'B': 'Success'}


def test_forks_starting_together_agree_on_the_login_key(simulator, tmp_path, monkeypatch):
    # A second fork starts while the first is writing the new key: both must name the same login cache,
    # or each logs in on its own.
    settings = connection_settings(base_url=simulator.url, ca_path=simulator.ca_file, username='apiuser',
                                   password=PASSWORD)
    started, others = [], []
    real_urandom = _auth.os.urandom

    def urandom_while_another_fork_starts(count):
        if not started:
            started.append(True)
            others.append(FmcLoginAuth(settings, directory=str(tmp_path)))
        return real_urandom(count)

    monkeypatch.setattr(_auth.os, 'urandom', urandom_while_another_fork_starts)
    first = FmcLoginAuth(settings, directory=str(tmp_path))
    assert others and first.cache.path == others[0].cache.path
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith('login.key')] == ['login.key']


def warned_client(simulator, tmp_path, warnings, **options):
    options.setdefault('username', 'apiuser')
    options.setdefault('password', PASSWORD)
    settings = connection_settings(base_url=simulator.url, ca_path=simulator.ca_file, domain_uuid=DOMAINS[0]['uuid'],
                                   **options)
    auth = FmcLoginAuth(settings, directory=str(tmp_path), warn=warnings.append)
    return CdfmcClient(settings, auth=auth)  # on the real clock: a lock held by another process is waited for


@pytest.mark.parametrize('status', [500, 502, 400, 403])
def test_a_refresh_that_fails_is_followed_at_once_by_a_new_login(certificates, tmp_path, status):
    from cdfmc_simulator.server import serve_in_thread
    now = [5000.0]
    server, url = serve_in_thread(cert_file=certificates['cert_file'], key_file=certificates['key_file'],
                                  clock=lambda: now[0])
    sim = FakeClockSimulator(server, url, certificates['ca_file'])
    try:
        on_prem(sim, lifetime=10, faults=[{'match': {'path': '/refreshtoken'}, 'status': status, 'times': None}])
        with login_client(sim, tmp_path, domain_uuid=DOMAINS[0]['uuid']) as client:
            for _number in range(3):
                assert client.get_task_status('t1')['status'] == 'Success'
                now[0] += 11
        auth_paths = [(r['path'].rsplit('/', 1)[1], r['status']) for r in sim.requests if '/auth/' in r['path']]
        # Each refresh is tried once (POSTs are not retried), then a login follows at once.
        assert auth_paths == [('generatetoken', 204), ('refreshtoken', status), ('generatetoken', 204),
                              ('refreshtoken', status), ('generatetoken', 204)]
    finally:
        server.shutdown()
        server.server_close()


PLANTED_TEXT = {'mode 0644': None, 'nested JSON': '{"a":' * 5000 + '1' + '}' * 5000, 'short': 'abcd'}


def plant(path, kind, good=None):
    """Puts at ``path`` (which must not exist) a file of the ``kind`` a test names; ``good`` is for 'mode 0644'."""
    if kind == 'fifo':
        os.mkfifo(path, 0o600)
    elif kind == 'symlink to /dev/zero':
        os.symlink('/dev/zero', path)
    else:
        with open(path, 'w') as handle:
            handle.write(PLANTED_TEXT[kind] or good)
        os.chmod(path, 0o644 if kind == 'mode 0644' else 0o600)


@pytest.mark.parametrize('kind', ['mode 0644', 'nested JSON', 'fifo', 'symlink to /dev/zero'])
def test_a_login_cache_that_cannot_be_trusted_is_replaced_with_one_warning(simulator, tmp_path, kind):
    on_prem(simulator)
    with warned_client(simulator, tmp_path, []) as client:
        client.get_task_status('t1')
        cache = client.auth.cache.path
    fresh = json.loads(open(cache).read())
    fresh['obtained'] = time.time()
    os.unlink(cache)
    # A good login in a file others could read or change is never trusted either.
    plant(cache, kind, json.dumps(fresh))
    warnings = []
    with warned_client(simulator, tmp_path, warnings) as client:
        assert client.get_task_status('t1')['status'] == 'Success'
    assert auth_counts(simulator) == (2, 0)
    assert len(warnings) == 1 and 'login cache was damaged and has been replaced' in warnings[0]
    info = os.lstat(cache)
    assert stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o600
    # Healed: the next process takes the login from the cache, with no warning.
    warnings = []
    with warned_client(simulator, tmp_path, warnings) as client:
        client.get_task_status('t1')
    assert auth_counts(simulator) == (2, 0) and warnings == []


@pytest.mark.parametrize('kind', ['fifo', 'symlink to /dev/zero', 'short'])
def test_a_login_key_that_cannot_be_used_is_replaced(simulator, tmp_path, kind):
    on_prem(simulator)
    key = tmp_path / 'login.key'
    plant(str(key), kind)
    warnings = []
    with warned_client(simulator, tmp_path, warnings) as client:
        assert client.get_task_status('t1')['status'] == 'Success'
    assert len(warnings) == 1 and 'login cache key' in warnings[0] and 'replaced' in warnings[0]
    assert stat.S_ISREG(os.lstat(key).st_mode) and len(key.read_bytes()) == 32


def test_a_login_cache_lock_held_for_ever_means_a_login_of_this_process_alone(simulator, tmp_path):
    import fcntl
    on_prem(simulator)
    with warned_client(simulator, tmp_path, []) as client:
        lock_path = client.auth.cache.lock_path
    holder = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(holder, fcntl.LOCK_EX)
    warnings = []
    try:
        started = time.monotonic()
        with warned_client(simulator, tmp_path, warnings, request_timeout=2) as client:
            assert client.get_task_status('t1')['status'] == 'Success'
        # Held across one refresh and one login at most: waited for 2 x request_timeout + 5 s.
        assert 8.5 <= time.monotonic() - started < 20
    finally:
        os.close(holder)
    assert auth_counts(simulator) == (1, 0)
    assert len(warnings) == 1 and 'logs in on its own' in warnings[0] and 'stayed locked' in warnings[0]


def test_domains_nested_too_deep_in_the_login_are_ignored(simulator, tmp_path):
    on_prem(simulator, domains=[{'name': 'Global', 'uuid': DOMAINS[0]['uuid'],
                                 'deep': json.loads('[' * 70 + ']' * 70)}])
    with warned_client(simulator, tmp_path, []) as client:
        # The DOMAINS header is nested deeper than 64 levels: no domains, so domain_uuid is taken as given.
        assert client.get_task_status('t1')['status'] == 'Success'
        assert client.auth.domains == []


@pytest.mark.parametrize('fault', [{'action': 'drop'}, {'status': 502}])
def test_a_request_whose_login_failed_was_not_sent(simulator, tmp_path, fault):
    # A caller deciding whether a POST may have reached FMC (cdfmc_deploy) must not blame the login's failure on it.
    on_prem(simulator, faults=[dict(fault, match={'path': '/generatetoken'}, times=None)])
    deploy = '/fmc_config/v1/domain/%s/deployment/deploymentrequests' % DOMAINS[0]['uuid']
    with login_client(simulator, tmp_path, request_timeout=0.5, max_retries=0) as client:
        with pytest.raises(CdfmcRequestError, match='generatetoken') as caught:
            client.request('POST', deploy, json_body={'type': 'DeploymentRequest', 'deviceList': ['d1']})
    assert caught.value.sent is False
    assert not [r for r in simulator.requests if r['path'].endswith('/deploymentrequests')]


class MemoryLoginCache:
    """The whole interface a login store offers the renewal (as a Redis one would): session() and save()."""

    def __init__(self):
        import threading
        self.login, self.lock, self.patience = None, threading.Lock(), []

    @contextlib.contextmanager
    def session(self, deadline=None, patience=None):
        self.patience.append(patience)
        with self.lock:
            yield self.login

    def save(self, login):
        self.login = login


def test_the_renewal_needs_only_the_session_and_save_of_a_login_store(simulator, tmp_path):
    on_prem(simulator)
    store = MemoryLoginCache()
    for _number in range(3):
        with login_client(simulator, tmp_path, domain_uuid=DOMAINS[0]['uuid'], request_timeout=7) as client:
            client.auth.cache = store
            client.get_task_status('t1')
    assert auth_counts(simulator) == (1, 0) and store.login['refreshes'] == 0
    assert store.patience == [2 * 7 + 5.0] * 3  # one renewal each, waited for as long as a refresh and a login


@pytest.mark.parametrize('ahead, renewals', [(30, (1, 0)), (59, (1, 0)), (10 * 60, (1, 1))])
def test_a_login_from_a_host_whose_clock_is_a_little_ahead_is_used(simulator, tmp_path, ahead, renewals):
    # A login shared through Redis may come from another host: a clock up to a minute ahead is not a reason to
    # renew it; a login stamped further in the future is not one to trust as it is: it is refreshed.
    on_prem(simulator)
    store = MemoryLoginCache()
    with login_client(simulator, tmp_path, clock=FakeClock(wall=time.time() + ahead),
                      domain_uuid=DOMAINS[0]['uuid']) as client:
        client.auth.cache = store
        client.get_task_status('t1')
    with login_client(simulator, tmp_path, clock=FakeClock(wall=time.time()), domain_uuid=DOMAINS[0]['uuid']) as client:
        client.auth.cache = store
        client.get_task_status('t1')
    assert auth_counts(simulator) == renewals
