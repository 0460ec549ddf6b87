# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The request budget in a shared Redis (a real redis-server of the tests' own, its user with exactly REDIS_ACL):
the same pace as the file store, shared by hosts; and every fault of Redis leaves the run going, with one warning
that never shows the password."""

import itertools
import socket
import threading
import time
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.cisco.cdfmc.plugins.module_utils import _redis
from ansible_collections.cisco.cdfmc.plugins.module_utils._budget import AHEAD, FileStore, RequestBudget, server_key
from ansible_collections.cisco.cdfmc.plugins.module_utils._budget_redis import FallbackStore, RedisStore, redis_store
from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import Deadline
from ansible_collections.cisco.cdfmc.plugins.module_utils._redis import REDIS_ACL, Outage, RedisConnection, StoreUnavailable, masked_url
from redis_server import PASSWORD
from support import FakeClock, connection_settings

SERVER = 'https://fmc.example.com'
_SERVERS = itertools.count()
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def limits(per_minute, concurrent, server=SERVER, request_timeout=30):
    return connection_settings(base_url=server, api_token='t', max_requests_per_minute=per_minute,
                               max_concurrent_requests=concurrent, request_timeout=request_timeout)


def max_in_any_window(times, window=61.0):
    times = sorted(times)
    return max(sum(1 for other in times if start <= other < start + window) for start in times)


def start_times(shared_budget, clock, count):
    times = []
    for _number in range(count):
        with shared_budget.request():
            times.append(clock.monotonic())
    return times


class Stores:
    """Stores of one kind ('file' or 'redis') on one fake clock, for one server new to the store."""

    def __init__(self, kind, request, tmp_path_factory):
        self.kind, self.clock = kind, FakeClock()
        self.key = server_key('https://fmc%d.example.com' % next(_SERVERS))
        if kind == 'redis':
            self.connection = RedisConnection(request.getfixturevalue('redis_server').url())
        else:
            self.directory = str(tmp_path_factory.mktemp('store'))

    def store(self):
        if self.kind == 'redis':
            return RedisStore(self.connection, self.key, now=self.clock.monotonic)
        return FileStore(self.directory, self.key, self.clock)

    def budget(self, per_minute, concurrent=8):
        return RequestBudget(limits(per_minute, concurrent), clock=self.clock, store=self.store())


@pytest.fixture(params=['file', 'redis'])
def stores(request, tmp_path_factory):
    return lambda: Stores(request.param, request, tmp_path_factory)


@PROPERTY
@given(gaps=st.lists(st.floats(min_value=0, max_value=5, allow_nan=False), min_size=1, max_size=80),
       per_minute=st.integers(min_value=1, max_value=40))
def test_never_more_than_the_budget_in_any_window(stores, gaps, per_minute):
    shared = stores()
    forks = [shared.budget(per_minute) for _fork in range(3)]
    times = []
    for index, gap in enumerate(gaps):
        shared.clock.ticks += gap
        times.extend(start_times(forks[index % 3], shared.clock, 1))
    assert max_in_any_window(times) <= per_minute


@PROPERTY
@given(steps=st.lists(st.tuples(st.floats(min_value=0, max_value=3, allow_nan=False),
                                st.sampled_from(['reserve', 'reserve', 'reserve', 'hold']),
                                st.floats(min_value=0, max_value=30, allow_nan=False)), min_size=1, max_size=100),
       per_minute=st.integers(min_value=1, max_value=40))
def test_reservations_keep_the_pace_holds_and_order(stores, steps, per_minute):
    # Reservations made faster than the pace, as waiting requests make them, from two budgets on one store.
    shared = stores()
    clock = shared.clock
    budgets = [shared.budget(per_minute) for _budget in range(2)]
    starts, held_until = [], 0.0
    for index, (gap, operation, seconds) in enumerate(steps):
        clock.ticks += gap
        one = budgets[index % 2]
        if operation == 'hold':
            one.hold(seconds)
            held_until = max(held_until, clock.ticks + seconds)
            continue
        reach = AHEAD - one.interval
        wait, _held = one.store.reserve(clock.deadline(), one.interval, one._tolerance, reach)
        if wait <= reach:
            starts.append(clock.ticks + wait)
            assert starts[-1] >= held_until - 1e-6  # a 429's hold holds every reservation made after it
    assert starts == sorted(starts)  # the order of reservations is the order of turns
    assert not starts or max_in_any_window(starts) <= per_minute


def test_both_stores_give_the_same_answers(redis_server, tmp_path):
    # The same operations at the same times: the same waits, holds, slots and recent rate.
    clock = FakeClock()
    key = server_key(SERVER)
    pair = [RedisStore(RedisConnection(redis_server.url()), key, now=clock.monotonic), FileStore(str(tmp_path), key, clock)]
    answers = [[], []]
    for step in range(40):
        clock.ticks += (step % 7) * 0.3
        for store, found in zip(pair, answers):
            deadline = clock.deadline()
            if step % 9 == 4:
                store.hold(deadline, step * 0.5, 2.0)
            found.append(store.reserve(deadline, 0.7, 2.0, 5.0 + step % 3))
            slot = store.take_slot(deadline, 3.0, 2)
            found.append((slot is None, round(store.load(), 9)))
    assert [(round(item[0], 9), item[1]) for item in answers[0][::2]] == [(round(item[0], 9), item[1]) for item in answers[1][::2]]
    assert answers[0][1::2] == answers[1][1::2]


def test_a_stopped_or_dead_holder_frees_its_slot_by_its_bound_alone(redis_server):
    # Redis knows no process: a slot taken and never given back goes at its bound.
    connection = RedisConnection(redis_server.url())
    RedisStore(connection, server_key(SERVER)).take_slot(Deadline(), 1.0, 1)
    taken = time.monotonic()
    other = RequestBudget(limits(100, 1), store=RedisStore(connection, server_key(SERVER)))
    with other.request(Deadline(10)):
        waited = time.monotonic() - taken
    assert 0.9 <= waited <= 2.0


def test_two_hosts_with_their_own_directories_keep_one_pace(redis_server, tmp_path):
    # Two AWX jobs in separate containers: separate state directories, one Redis. 10 a second together.
    times, lock = [], threading.Lock()

    def job(directory):
        store = redis_store(RedisConnection(redis_server.url()), SERVER, directory=str(directory))
        shared = RequestBudget(limits(10, 8), window=1.0, store=store)
        for _number in range(8):
            with shared.request(Deadline(30)):
                with lock:
                    times.append(time.monotonic())

    jobs = [threading.Thread(target=job, args=(tmp_path / name,)) for name in ('a', 'b')]
    for directory in ('a', 'b'):
        (tmp_path / directory).mkdir(mode=0o700)
    for thread in jobs:
        thread.start()
    for thread in jobs:
        thread.join(30)
    assert len(times) == 16
    assert max_in_any_window(times, window=0.9) <= 10  # 0.1 s for the gap between the grant and the reading
    assert max(times) - min(times) >= 1.5  # one burst of 1, then 1/9 s apart: about 1.7 s for 16


def test_keys_have_one_prefix_one_hash_tag_an_expiry_and_nothing_secret(redis_server):
    store = redis_store(RedisConnection(redis_server.url()), SERVER)
    shared = RequestBudget(limits(100, 8), store=store)
    with shared.request(Deadline(10)):
        admin = redis_server.admin()
        keys = sorted(admin.keys('*'))
        tag = '{%s}' % server_key(SERVER)
        assert keys == ['cdfmc:%s:pace' % tag, 'cdfmc:%s:slots' % tag]
        assert all(0 < admin.pttl(key) <= 200 * 1000 for key in keys)
    assert all('example' not in key for key in keys)
    assert REDIS_ACL.startswith('~cdfmc:* resetchannels -@all ')


# Faults: the run goes on, with one warning that names the store masked and never shows the password.

def fallback_budget(url, tmp_path, ca_file=None):
    warnings = []
    tmp_path.mkdir(mode=0o700, exist_ok=True)
    store = redis_store(RedisConnection(url, ca_file), SERVER, directory=str(tmp_path), warn=warnings.append)
    return RequestBudget(limits(100, 8), window=1.0, store=store), warnings


def assert_no_password(texts, *secrets):
    for text in texts:
        for secret in (PASSWORD, quote(PASSWORD, safe='')) + secrets:
            assert secret not in text


def test_redis_killed_mid_wait(redis_server, tmp_path):
    shared, warnings = fallback_budget(redis_server.url(), tmp_path)
    shared.hold(0.8)
    threading.Timer(0.3, redis_server.kill).start()
    started = time.monotonic()
    for _number in range(3):
        with shared.request(Deadline(10)):
            pass
    assert 0.7 <= time.monotonic() - started <= 3.0
    (warning,) = warnings
    assert 'connection refused' in warning and 'redis://cdfmc:********@127.0.0.1' in warning and 'again in 60 s' in warning
    assert_no_password(warnings)


def test_redis_stopped_counts_as_a_fault_after_1_s(redis_server, tmp_path):
    shared, warnings = fallback_budget(redis_server.url(), tmp_path)
    with shared.request(Deadline(10)):
        pass
    redis_server.stop()
    try:
        started = time.monotonic()
        with shared.request(Deadline(10)):
            first = time.monotonic() - started
        for _number in range(3):
            with shared.request(Deadline(10)):
                pass
        rest = time.monotonic() - started - first
    finally:
        redis_server.cont()
    assert 0.9 <= first <= 2.5 and rest < 1.0  # one timeout, then this host's store
    (warning,) = warnings
    assert 'timeout' in warning
    assert_no_password(warnings)


def test_redis_that_answers_just_within_the_timeout_is_slow_once_then_left_alone(redis_server, tmp_path, monkeypatch):
    # Every answer under the 1 s timeout, but an operation slower than SLOW (0.2 s here): its answer is used, then
    # this host's files, with one warning; not a slow request after another.
    monkeypatch.setattr(_redis, 'SLOW', 0.2)
    shared, warnings = fallback_budget(redis_server.url(), tmp_path)
    with shared.request(Deadline(10)):
        pass
    redis_server.stop()
    threading.Timer(0.5, redis_server.cont).start()
    try:
        started = time.monotonic()
        for _number in range(4):
            with shared.request(Deadline(10)):
                pass
        took = time.monotonic() - started
    finally:
        time.sleep(0.6)
        redis_server.cont()
    assert 0.4 <= took < 0.9  # one stalled answer, the rest from the files
    (warning,) = warnings
    assert 'too slow: an operation took 0.' in warning and 'again in 60 s' in warning
    assert_no_password(warnings)


def test_a_slow_operation_is_paid_by_the_next_take_not_by_a_release_nor_by_a_first_call(redis_server, monkeypatch):
    monkeypatch.setattr(_redis, 'SLOW', 0.2)
    connection = RedisConnection(redis_server.url())
    take = "return redis.call('SET', KEYS[1], ARGV[1], 'PX', 60000) and 1"
    release = "return redis.call('DEL', KEYS[1])"
    key = 'cdfmc:{slow}:slot'
    redis_server.stop()
    threading.Timer(0.5, redis_server.cont).start()
    assert connection.run(take, [key], ['a']) == 1  # its first call: it connected and loaded, not timed
    redis_server.stop()
    threading.Timer(0.5, redis_server.cont).start()
    assert connection.run(take, [key], ['b']) == 1  # slow: its answer is used
    assert connection.run(release, [key], [], release=True) == 1  # what it took is freed all the same
    assert redis_server.admin().exists(key) == 0
    with pytest.raises(StoreUnavailable, match='too slow: an operation took 0.[4-9] s'):
        connection.run(take, [key], ['c'])
    assert redis_server.admin().exists(key) == 0 and connection.run(take, [key], ['d']) == 1  # then asked again


def test_redis_restarted_loads_its_scripts_again_without_a_word(redis_server, tmp_path):
    shared, warnings = fallback_budget(redis_server.url(), tmp_path)
    with shared.request(Deadline(10)):
        pass
    redis_server.restart()  # no data, no script
    with shared.request(Deadline(10)):
        pass
    assert warnings == [] and redis_server.admin().exists('cdfmc:{%s}:pace' % server_key(SERVER))


@pytest.mark.parametrize('user, password, why', [
    ('cdfmc', 'Wrong-Secret-1', 'authentication refused'),
    ('nobody', 'Wrong-Secret-1', 'authentication refused'),
])
def test_a_wrong_password_leaves_the_host_s_budget(redis_server, tmp_path, user, password, why):
    url = redis_server.url(user=user, password=password)
    shared, warnings = fallback_budget(url, tmp_path)
    for _number in range(2):
        with shared.request(Deadline(10)):
            pass
    (warning,) = warnings
    assert why in warning and '%s:********@' % user in warning
    assert_no_password(warnings + [repr(shared.store.primary.connection)], password)


def test_tls_with_the_right_ca_and_with_a_wrong_one(start_redis, tmp_path):
    from cdfmc_simulator.certs import make_certificates
    server = start_redis(tls=True)
    right, warnings = fallback_budget(server.url(), tmp_path / 'right', ca_file=server.certificates['ca_file'])
    with right.request(Deadline(10)):
        pass
    assert warnings == [] and server.admin().exists('cdfmc:{%s}:pace' % server_key(SERVER))
    other_ca = make_certificates(str(tmp_path / 'other'))['ca_file']
    wrong, warnings = fallback_budget(server.url(), tmp_path / 'wrong', ca_file=other_ca)
    with wrong.request(Deadline(10)):
        pass
    (warning,) = warnings
    assert 'TLS failure' in warning and warning.startswith('cisco.cdfmc: the shared store rediss://cdfmc:********@')
    assert_no_password(warnings)


@pytest.mark.parametrize('key, fill, warned', [
    ('pace', lambda admin, key: admin.set(key, 'not a hash'), 1),
    ('pace', lambda admin, key: admin.hset(key, mapping={'tat': 'soon', 'held': 'nan', 'other': 'x'}), 1),
    ('pace', lambda admin, key: admin.hset(key, mapping={'tat': 'inf'}), 1),
    # Finite, but further ahead than any budget writes: a hold of 31 years, a PEXPIRE out of range.
    ('pace', lambda admin, key: admin.hset(key, mapping={'held': '1e300'}), 1),
    ('pace', lambda admin, key: admin.hset(key, mapping={'tat': '1e300'}), 1),
    ('pace', lambda admin, key: admin.hset(key, mapping={'held': str(time.time() + 1e9), 'when': '1e300'}), 1),
    ('slots', lambda admin, key: admin.rpush(key, 'a', 'b'), 1),
    # Bounds no request sets: dropped as slots past their bound are, without a word.
    ('slots', lambda admin, key: admin.zadd(key, {'forever': float('inf'), 'far': 1e300}), 0),
])
def test_a_foreign_value_in_a_key_is_replaced_with_one_warning(redis_server, tmp_path, key, fill, warned):
    name = 'cdfmc:{%s}:%s' % (server_key(SERVER), key)
    admin = redis_server.admin()
    fill(admin, name)
    shared, warnings = fallback_budget(redis_server.url(), tmp_path)
    shared.concurrent = 1  # no foreign slot may hold the one place
    for _number in range(3):
        with shared.request(Deadline(10)):
            pass
    kind = admin.type(name)
    assert kind == ('hash' if key == 'pace' else 'none')  # the slots were all freed
    assert len(warnings) == warned
    assert all('was not written by cisco.cdfmc and has been replaced' in warning for warning in warnings)
    assert all(float(value) < 1e10 for field, value in admin.hgetall('cdfmc:{%s}:pace' % server_key(SERVER)).items())
    assert 0 < admin.pttl('cdfmc:{%s}:pace' % server_key(SERVER)) <= 1000 * 1000  # an expiry, and a short one


def test_the_shared_store_is_tried_again_after_the_retry_interval(redis_server, tmp_path):
    clock = FakeClock()
    warnings = []
    connection = RedisConnection(redis_server.url())
    key = server_key(SERVER)
    store = FallbackStore(RedisStore(connection, key), FileStore(str(tmp_path), key, clock),
                          Outage(connection.shown, warnings.append, retry=5.0, clock=clock))
    pace = 'cdfmc:{%s}:pace' % key
    admin = redis_server.admin()
    redis_server.stop()
    try:
        store.reserve(clock.deadline(), 1.0, 0.0, 100)
    finally:
        redis_server.cont()
    assert not admin.exists(pace)
    store.reserve(clock.deadline(), 1.0, 0.0, 100)  # still this host's store: the interval has not passed
    assert not admin.exists(pace)
    clock.advance(5.0)
    slot = store.take_slot(clock.deadline(), 10, 2)
    store.reserve(clock.deadline(), 1.0, 0.0, 100)
    assert admin.exists(pace) and admin.zcard('cdfmc:{%s}:slots' % key) == 1
    store.free_slot(clock.deadline(), slot)
    assert admin.zcard('cdfmc:{%s}:slots' % key) == 0
    assert len(warnings) == 1 and 'again in 5 s' in warnings[0]


def test_a_slot_is_freed_in_the_store_that_gave_it(redis_server, tmp_path):
    clock = FakeClock()
    connection = RedisConnection(redis_server.url())
    key = server_key(SERVER)
    fallback = FileStore(str(tmp_path), key, clock)
    store = FallbackStore(RedisStore(connection, key), fallback, Outage(connection.shown, retry=5.0, clock=clock))
    shared = store.take_slot(clock.deadline(), 10, 1)
    redis_server.kill()
    local = store.take_slot(clock.deadline(), 10, 1)
    assert shared[0] is store.primary and local[0] is fallback
    store.free_slot(clock.deadline(), shared)  # Redis is gone: that one goes by its bound, quietly
    store.free_slot(clock.deadline(), local)
    assert fallback.take_slot(clock.deadline(), 10, 1) is not None


def test_garbage_from_something_that_is_not_redis(tmp_path):
    pytest.importorskip('redis')
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(4)

    def answer():
        try:
            peer, _address = listener.accept()
        except OSError:  # closed by the test
            return
        peer.sendall(b'\x1b[31mHTTP/1.1 400 Bad Request\r\n\r\n')
        peer.close()

    threading.Thread(target=answer, daemon=True).start()
    url = 'redis://cdfmc:%s@127.0.0.1:%d/0' % (quote(PASSWORD, safe=''), listener.getsockname()[1])
    try:
        with pytest.raises(StoreUnavailable) as raised:
            RedisStore(RedisConnection(url), server_key(SERVER)).reserve(Deadline(), 1.0, 0.0, 10)
    finally:
        listener.close()
    text = str(raised.value)
    assert '\x1b' not in text and 'redis://cdfmc:********@127.0.0.1' in text
    assert_no_password([text])


def test_without_redis_py_the_run_goes_on_and_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setattr(_redis, '_redis_library', lambda: (None, None))
    shared, warnings = fallback_budget('redis://cdfmc:%s@127.0.0.1:1/0' % quote(PASSWORD, safe=''), tmp_path)
    with shared.request(Deadline(10)):
        pass
    (warning,) = warnings
    assert 'pip install redis' in warning
    assert_no_password(warnings)


def test_a_url_that_is_not_redis_is_refused_masked():
    from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError
    with pytest.raises(CdfmcOptionError, match=r'https://u:\*{8}@host') as raised:
        RedisConnection('https://u:Secret-9@host')
    assert 'Secret-9' not in str(raised.value)


@pytest.mark.parametrize('url, shown', [
    ('redis://user:secret@host:6379/0', 'redis://user:********@host:6379/0'),
    ('redis://:secret@host/1', 'redis://:********@host/1'),
    ('redis://host:6379', 'redis://host:6379'),
    ('rediss://user@host', 'rediss://user@host'),
    ('redis://user:p@ss:w/rd#x@host/0', 'redis://user:********@host/0'),
    ('redis://user:%40%2F%3A@host/0', 'redis://user:********@host/0'),
    ('redis://user:secret@[::1]:6380/2', 'redis://user:********@[::1]:6380/2'),
    ('redis://host/0?password=secret&db=1', 'redis://host/0?password=********&db=1'),
    ('redis://us\x1ber:secret@host\n', 'redis://us\\x1ber:********@host\\n'),
])
def test_masked_url(url, shown):
    assert masked_url(url) == shown


def test_a_user_without_every_command_of_redis_acl_is_told_what_it_needs(redis_server, tmp_path):
    narrow = REDIS_ACL.replace(' +zadd', '')
    redis_server.admin().execute_command('ACL', 'SETUSER', 'narrow', 'on', '>%s' % PASSWORD, *narrow.split())
    shared, warnings = fallback_budget(redis_server.url(user='narrow'), tmp_path)
    for _number in range(2):
        with shared.request(Deadline(10)):
            pass
    (warning,) = warnings
    assert 'the ACL refused' in warning and REDIS_ACL in warning
    assert_no_password(warnings)


def test_the_next_processes_of_a_run_learn_of_a_fault_from_the_outage_file(tmp_path):
    # A play's next task is a new process: it leaves a store that just failed alone, quietly, until the retry.
    clock, warnings, path = FakeClock(), [], str(tmp_path / 'store.down')
    first = Outage('redis://cdfmc:********@127.0.0.1:1/0', warnings.append, retry=60.0, clock=clock, path=path)
    assert first.usable()
    first.down(StoreUnavailable('redis://...', 'connection refused'))
    assert not first.usable() and len(warnings) == 1
    clock.advance(30)
    later = Outage('redis://cdfmc:********@127.0.0.1:1/0', warnings.append, retry=60.0, clock=clock, path=path)
    assert not later.usable()
    later.down(StoreUnavailable('redis://...', 'connection refused'))
    assert len(warnings) == 1  # the first process told of it
    clock.advance(61)
    assert Outage('x', warnings.append, retry=60.0, clock=clock, path=path).usable()
    (tmp_path / 'store.down').write_text('{"until": 1e300}')  # not one this code wrote: ignored
    assert Outage('x', warnings.append, retry=60.0, clock=clock, path=path).usable()
