# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The on-prem login shared in a Redis (a real redis-server of the tests' own, its user with exactly REDIS_ACL)
against the simulator's on-prem mode: hosts with directories of their own log in once and refresh once; Redis holds
nothing secret; a key written by something else is replaced; and every fault of Redis leaves the run going on the
file cache of its host, with one warning that shows no secret."""

import base64
import sys
import tempfile
import threading
import time
from urllib.parse import quote

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils._auth import FmcLoginAuth, TokenAuth
from ansible_collections.cisco.cdfmc.plugins.module_utils._budget import server_key
from ansible_collections.cisco.cdfmc.plugins.module_utils._client import CdfmcClient, connect
from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import Deadline
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcRequestError
from ansible_collections.cisco.cdfmc.plugins.module_utils._login_redis import (
    KEEP, Held, RedisLogin, RedisLoginCache, redis_login_cache)
from ansible_collections.cisco.cdfmc.plugins.module_utils._redis import Outage, RedisConnection, masked_url
from redis_server import PASSWORD as REDIS_PASSWORD
from support import FakeClock, connection_settings

PASSWORD = 'S3cret-Passw0rd'
GLOBAL = 'e276abec-e0f2-11e3-8169-6d9ed49b625f'
DOMAINS = [{'name': 'Global', 'uuid': GLOBAL}]
TASK = {'id': 't1', 'task_type': 'DEVICE_REGISTRATION', 'timeline': [{'at': 0, 'status': 'Success'}]}
LOGIN = {'access': 'a-1', 'refresh': 'r-1', 'obtained': 1.0, 'refreshes': 0, 'domains': DOMAINS, 'domain_uuid': GLOBAL}


def on_prem(simulator):
    simulator.load({'auth': {'mode': 'fmc', 'username': 'apiuser', 'password': PASSWORD, 'token_lifetime': 1800},
                    'domains': DOMAINS, 'tasks': [TASK]})


def auth_counts(simulator):
    return simulator.server.simulator.logins, simulator.server.simulator.refreshes


def login_settings(simulator, url, **options):
    options.setdefault('password', PASSWORD)
    return connection_settings(base_url=simulator.url, ca_path=simulator.ca_file, username='apiuser',
                               domain_uuid=GLOBAL, budget_url=url, **options)


class Host:
    """One host (an AWX job's container): a directory of its own, a login cache in the Redis at ``url``."""

    def __init__(self, simulator, url, directory, clock=None, **options):
        directory.mkdir(mode=0o700, exist_ok=True)
        self.directory, self.warnings, self.secrets = directory, [], ()
        self.clock = clock or FakeClock(wall=time.time())
        self.settings = login_settings(simulator, url, **options)
        self.cache = redis_login_cache(self.settings, str(directory), self.clock, self.warnings.append)

    def client(self):
        auth = FmcLoginAuth(self.settings, clock=self.clock, cache=self.cache)
        return CdfmcClient(self.settings, auth=auth, clock=self.clock)

    def read(self, deadline=None):
        with self.client() as client:
            status = client.get_task_status('t1', deadline=deadline)['status']
            self.secrets = client.auth.secrets
            return status

    def files(self):
        return sorted(path.name for path in self.directory.iterdir() if path.name.startswith('login-'))


def stored(redis_server):
    """Every key in Redis: {name: (type, value or None, pttl)}."""
    admin = redis_server.admin()
    found = {}
    for key in admin.keys('*'):
        kind = admin.type(key)
        found[key] = (kind, admin.get(key) if kind == 'string' else None, admin.pttl(key))
    return found


def assert_no_secret(texts, *secrets):
    for text in texts:
        for secret in (REDIS_PASSWORD, quote(REDIS_PASSWORD, safe=''), PASSWORD) + tuple(secrets):
            assert secret not in text


def test_two_hosts_log_in_once_and_refresh_once(simulator, redis_server, tmp_path):
    on_prem(simulator)
    clock = FakeClock(wall=time.time())
    first = Host(simulator, redis_server.url(), tmp_path / 'a', clock)
    second = Host(simulator, redis_server.url(), tmp_path / 'b', clock)
    with first.client() as one, second.client() as other:
        one.get_task_status('t1')
        other.get_task_status('t1')
        assert auth_counts(simulator) == (1, 0)
        clock.advance(26 * 60)  # due for renewal
        one.get_task_status('t1')    # refreshes; the old token dies on the server
        other.get_task_status('t1')  # takes the refreshed token from Redis
    assert auth_counts(simulator) == (1, 1)
    assert all(entry['status'] in (200, 204) for entry in simulator.requests)
    assert first.warnings == second.warnings == [] and first.files() == second.files() == []


def test_threads_of_two_hosts_log_in_once(simulator, redis_server, tmp_path):
    on_prem(simulator)
    hosts = [Host(simulator, redis_server.url(), tmp_path / name) for name in ('a', 'b')]
    outcome = []

    def read(host):
        try:
            outcome.append(host.read(Deadline(20)))
        except Exception as exc:  # pylint: disable=broad-except
            outcome.append(repr(exc))

    threads = [threading.Thread(target=read, args=(hosts[number % 2],)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcome == ['Success'] * 8 and auth_counts(simulator) == (1, 0)


def test_redis_holds_nothing_secret_and_every_key_expires(simulator, redis_server, tmp_path):
    on_prem(simulator)
    host = Host(simulator, redis_server.url(), tmp_path / 'a')
    host.read()
    keys = stored(redis_server)
    (name,) = list(keys)
    assert name.startswith('cdfmc:{%s}:login:' % server_key(simulator.url)) and len(name.rsplit(':', 1)[1]) == 32
    kind, value, pttl = keys[name]
    assert kind == 'string' and 0 < pttl <= KEEP * 1000
    for text in (name, value, base64.b64decode(value).decode('latin-1')):
        assert_no_secret([text], 'apiuser', '127.0.0.1', GLOBAL, *host.secrets)
    assert host.cache.shared.entry == name and host.cache.shared.lock == name + ':lock'


def test_a_wrong_or_changed_password_never_gets_the_other_s_login(simulator, redis_server, tmp_path):
    on_prem(simulator)
    Host(simulator, redis_server.url(), tmp_path / 'a').read()
    wrong = Host(simulator, redis_server.url(), tmp_path / 'b', password='Not-The-Passw0rd')
    with pytest.raises(CdfmcRequestError, match='check username and password') as raised:
        wrong.read()
    assert_no_secret([str(raised.value)], 'Not-The-Passw0rd')
    assert auth_counts(simulator) == (1, 0) and len(simulator.requests) == 3  # login, read; the refused login
    entries = [RedisLogin(RedisConnection(redis_server.url()), login_settings(simulator, None, password=password)).entry
               for password in (PASSWORD, 'Not-The-Passw0rd', PASSWORD + ' ')]
    assert len(set(entries)) == 3 and list(stored(redis_server)) == entries[:1]


def sealed_for_another_entry(connection, settings):
    other = RedisLogin(connection, settings)
    other.entry += 'x'
    return other._sealed(other._cipher()[0], LOGIN)


@pytest.mark.parametrize('fill, problem', [
    (lambda admin, key, seal: admin.set(key, 'not base64 at all!'), 'not base64 text'),
    (lambda admin, key, seal: admin.set(key, b'\xff\xfe\x00garbage'), 'not base64 text'),  # not even UTF-8
    (lambda admin, key, seal: admin.set(key, base64.b64encode(b'\0' * 80)), 'cannot be decrypted'),
    (lambda admin, key, seal: admin.set(key, seal['other']), 'cannot be decrypted'),  # another entry's value
    (lambda admin, key, seal: admin.set(key, seal['bad']), 'unexpected access'),
    (lambda admin, key, seal: admin.set(key, seal['list']), 'not a JSON object'),
    (lambda admin, key, seal: admin.hset(key, mapping={'access': 'x'}), 'it holds a hash'),
    (lambda admin, key, seal: admin.set(key, 'x' * 300000), 'more than 262144 bytes'),
])
def test_a_value_not_written_for_this_user_is_replaced_with_one_warning(
        simulator, redis_server, tmp_path, fill, problem):
    on_prem(simulator)
    host = Host(simulator, redis_server.url(), tmp_path / 'a')
    shared = host.cache.shared
    cipher = shared._cipher()[0]
    seals = {'other': sealed_for_another_entry(shared.connection, host.settings),
             'bad': shared._sealed(cipher, dict(LOGIN, access=1)), 'list': shared._sealed(cipher, [LOGIN])}
    fill(redis_server.admin(), shared.entry, seals)
    assert host.read() == 'Success'
    (warning,) = host.warnings
    assert 'was not written by cisco.cdfmc for this user (' in warning and problem in warning
    assert 'has been replaced' in warning and 'redis://cdfmc:********@127.0.0.1' in warning
    assert_no_secret(host.warnings, *host.secrets)
    again = Host(simulator, redis_server.url(), tmp_path / 'b')
    assert again.read() == 'Success' and again.warnings == [] and auth_counts(simulator) == (1, 0)


def test_a_lock_without_expiry_was_not_written_by_cisco_cdfmc_and_is_replaced(simulator, redis_server, tmp_path):
    on_prem(simulator)
    host = Host(simulator, redis_server.url(), tmp_path / 'a')
    redis_server.admin().set(host.cache.shared.lock, 'forever')
    assert host.read() == 'Success'
    assert host.clock.sleeps == [] and auth_counts(simulator) == (1, 0)
    (warning,) = host.warnings
    assert 'had no expiry' in warning and 'has been replaced' in warning
    assert list(stored(redis_server)) == [host.cache.shared.entry]  # the lock went with the session


def test_the_lock_of_a_holder_that_died_is_free_by_its_expiry(simulator, redis_server, tmp_path):
    on_prem(simulator)
    host = Host(simulator, redis_server.url(), tmp_path / 'a', clock=FakeClock(wall=time.time()))
    dead = RedisLogin(RedisConnection(redis_server.url()), host.settings)
    assert dead.take(Deadline(), 0.5).token  # taken for 0.5 s + 1 s of margin, and never given back
    started = time.monotonic()
    with host.client() as client:
        client.auth.prepare(client.transport, Deadline(20))  # the real clock: the lock goes in real time
    assert 1.2 <= time.monotonic() - started <= 3.5
    assert host.warnings == [] and auth_counts(simulator) == (1, 0)
    assert list(stored(redis_server)) == [host.cache.shared.entry]


def test_a_lock_taken_for_long_means_a_login_of_this_process_after_the_patience(simulator, redis_server, tmp_path):
    on_prem(simulator)
    host = Host(simulator, redis_server.url(), tmp_path / 'a', request_timeout=2)
    admin = redis_server.admin()
    admin.set(host.cache.shared.lock, 'another job', px=600000)
    for _number in range(2):
        assert host.read() == 'Success'
    # Waited for as long as a refresh and a login may take (2 x request_timeout + 5 s), on the fake clock.
    assert 8.9 <= sum(host.clock.sleeps) <= 9.2 * 2
    assert auth_counts(simulator) == (1, 0)
    (warning,) = host.warnings
    assert 'stayed taken for 9.0 s' in warning and 'logs in on its own' in warning
    assert admin.get(host.cache.shared.lock) == 'another job' and not admin.exists(host.cache.shared.entry)
    assert_no_secret(host.warnings, *host.secrets)


def test_a_deadline_that_comes_while_the_lock_is_taken_ends_the_wait(simulator, redis_server, tmp_path):
    on_prem(simulator)
    host = Host(simulator, redis_server.url(), tmp_path / 'a', request_timeout=2)
    redis_server.admin().set(host.cache.shared.lock, 'another job', px=600000)
    with pytest.raises(CdfmcRequestError, match="the deadline came before the login cache's lock was free") as raised:
        host.read(host.clock.deadline(3))
    assert 2.9 <= sum(host.clock.sleeps) <= 3.1 and auth_counts(simulator) == (0, 0)
    assert 'redis://cdfmc:********@127.0.0.1' in str(raised.value)
    assert_no_secret([str(raised.value)])


def test_a_stopped_run_ends_the_wait_for_the_lock(simulator, redis_server, tmp_path):
    on_prem(simulator)
    host = Host(simulator, redis_server.url(), tmp_path / 'a')
    redis_server.admin().set(host.cache.shared.lock, 'another job', px=600000)
    stop = threading.Event()
    stop.set()
    with pytest.raises(CdfmcRequestError, match="interrupted while waiting for the login cache's lock"):
        with host.cache.session(Deadline(stop=stop)):
            pass


# Faults: the file cache of the host, one warning naming the store masked, no secret.

def wrong_ca(start_redis, tmp_path):
    from cdfmc_simulator.certs import make_certificates
    server = start_redis(tls=True)
    return server.url(), make_certificates(str(tmp_path / 'other'))['ca_file']


@pytest.mark.parametrize('fault, why', [
    ('killed', 'connection refused'),
    ('stopped', 'timeout'),
    ('wrong password', 'authentication refused'),
    ('wrong CA', 'TLS failure'),
])
def test_a_store_that_cannot_be_used_leaves_the_file_cache_of_the_host(
        simulator, start_redis, tmp_path, monkeypatch, fault, why):
    on_prem(simulator)
    server = start_redis()
    url, options = server.url(), {}
    if fault == 'wrong password':
        url = server.url(password='Wrong-Secret-1')
    elif fault == 'wrong CA':
        url, options['budget_ca_file'] = wrong_ca(start_redis, tmp_path)
    hosts = [Host(simulator, url, tmp_path / 'a', **options) for _number in range(2)]
    {'killed': server.kill, 'stopped': server.stop}.get(fault, lambda: None)()
    try:
        started = time.monotonic()
        assert [host.read(Deadline(20)) for host in hosts] == ['Success', 'Success']
        assert time.monotonic() - started < (4.0 if fault == 'stopped' else 2.0)  # one timeout each, at most
    finally:
        server.cont()
    assert auth_counts(simulator) == (1, 0) and hosts[0].files()  # the second took it from the file
    for host in hosts:
        (warning,) = host.warnings
        assert why in warning and 'login cache of this host' in warning and 'again in 60 s' in warning
        assert ('rediss' if fault == 'wrong CA' else 'redis') + '://cdfmc:********@127.0.0.1' in warning
        assert_no_secret(host.warnings, 'Wrong-Secret-1', *hosts[0].secrets)
    if fault == 'wrong password':
        assert stored(server) == {}


def test_without_cryptography_the_login_stays_on_the_host_and_the_budget_is_still_shared(
        simulator, redis_server, monkeypatch):
    # A fault of this host, not of the store: the budget goes on through Redis, in this process and the next.
    on_prem(simulator)
    monkeypatch.setitem(sys.modules, 'cryptography.hazmat.primitives.ciphers.aead', None)
    warnings = []
    for _process in range(2):
        with connect(login_settings(simulator, redis_server.url()), warn=warnings.append) as client:
            assert client.get_task_status('t1', deadline=Deadline(20))['status'] == 'Success'
            assert client.get_task_status('t1', deadline=Deadline(20))['status'] == 'Success'
    assert auth_counts(simulator) == (1, 0)  # the second took the login from this host's file
    # The pace in Redis (the slots' set is gone once empty), no login there.
    assert list(stored(redis_server)) == ['cdfmc:{%s}:pace' % server_key(login_settings(simulator, None).server)]
    assert len(warnings) == 2 and all('pip install cryptography' in warning and 'login cache of this host' in
                                      warning and 'again in' not in warning for warning in warnings)
    assert_no_secret(warnings)


def test_redis_restarted_loads_its_scripts_again_without_a_word(simulator, redis_server, tmp_path):
    on_prem(simulator)
    host = Host(simulator, redis_server.url(), tmp_path / 'a')
    with host.client() as client:
        client.get_task_status('t1')
        redis_server.restart()  # no data, no script
        host.clock.advance(26 * 60)
        client.get_task_status('t1')
    assert host.warnings == [] and auth_counts(simulator) == (1, 1)
    assert list(stored(redis_server)) == [host.cache.shared.entry]


def test_redis_is_tried_again_after_the_retry_interval(simulator, redis_server, tmp_path):
    (tmp_path / 'a').mkdir(mode=0o700)
    clock, warnings = FakeClock(), []
    settings = login_settings(simulator, redis_server.url())
    outage = Outage(masked_url(redis_server.url()), warnings.append, retry=5.0, clock=clock)
    cache = redis_login_cache(settings, str(tmp_path / 'a'), clock, warnings.append, outage=outage)
    redis_server.stop()
    try:
        with cache.session(clock.deadline(20)) as cached:
            assert cached is None
            cache.save(LOGIN)
    finally:
        redis_server.cont()
    with cache.session(clock.deadline(20)) as cached:  # still the file: the interval has not passed
        assert cached == LOGIN
    assert stored(redis_server) == {}
    clock.advance(5.0)
    with cache.session(clock.deadline(20)) as cached:
        assert cached is None
        cache.save(dict(LOGIN, access='a-2'))
    with cache.session(clock.deadline(20)) as cached:
        assert cached == dict(LOGIN, access='a-2')
    assert list(stored(redis_server)) == [cache.shared.entry]
    (warning,) = warnings
    assert 'timeout' in warning and 'again in 5 s' in warning


def test_a_session_that_raised_shares_nothing_and_frees_the_lock(simulator, redis_server, tmp_path):
    host = Host(simulator, redis_server.url(), tmp_path / 'a')
    with pytest.raises(RuntimeError):
        with host.cache.session(Deadline(5)):
            host.cache.save(LOGIN)
            raise RuntimeError('the login failed')
    assert stored(redis_server) == {}


def test_a_lock_lost_meanwhile_is_neither_freed_nor_written_over_by_its_old_holder(redis_server, simulator):
    shared = RedisLogin(RedisConnection(redis_server.url()), login_settings(simulator, None))
    held = shared.take(Deadline(), 0.2)
    time.sleep(1.4)  # the lock went by its expiry; another takes it
    other = shared.take(Deadline(), 5)
    held.saved = LOGIN
    shared.give_back(held)
    assert redis_server.admin().get(shared.lock) == other.token  # still the other's
    assert isinstance(other, Held) and other.login is None
    other.saved = dict(LOGIN, access='the-newer-one')
    shared.give_back(other)
    assert not redis_server.admin().exists(shared.lock)
    assert shared.take(Deadline(), 5).login['access'] == 'the-newer-one'  # the old holder wrote nothing over it


def test_a_lock_that_expired_with_no_other_holder_still_saves(redis_server, simulator):
    shared = RedisLogin(RedisConnection(redis_server.url()), login_settings(simulator, None))
    held = shared.take(Deadline(), 0.2)
    time.sleep(1.4)  # the lock went by its expiry; nobody took it
    held.saved = LOGIN
    shared.give_back(held)
    assert shared.take(Deadline(), 5).login == LOGIN


def test_connect_shares_the_login_through_the_redis_of_budget_url(simulator, redis_server, tmp_path, monkeypatch):
    on_prem(simulator)
    monkeypatch.setattr(tempfile, 'tempdir', str(tmp_path))
    for _number in range(2):
        with connect(login_settings(simulator, redis_server.url())) as client:
            assert isinstance(client.auth.cache, RedisLoginCache)
            assert client.auth.cache.shared.connection is client.budget.store.primary.connection
            client.get_task_status('t1')
    assert auth_counts(simulator) == (1, 0)
    assert any(':login:' in key for key in stored(redis_server))
    token = connection_settings(base_url=simulator.url, api_token='t', budget_url=redis_server.url())
    assert isinstance(connect(token).auth, TokenAuth)
