# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared request budget: a smooth pace, a fair order, a cap in flight; driven by a fake clock, and by real
processes through the real file lock."""

import fcntl
import json
import multiprocessing
import os
import signal
import stat
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.cisco.cdfmc.plugins.module_utils._budget import FLIGHT_RECHECK, FLIGHT_SLACK, RequestBudget
from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import Deadline
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcRequestError
from support import FakeClock, connection_settings

SERVER = 'https://fmc.example.com'


def budget(directory, clock, per_minute=100, concurrent=8, server=SERVER, request_timeout=30, **options):
    return RequestBudget(limits(per_minute, concurrent, server, request_timeout), directory=str(directory), clock=clock,
                         **options)


def limits(per_minute, concurrent, server=SERVER, request_timeout=30):
    return connection_settings(base_url=server, api_token='t', max_requests_per_minute=per_minute,
                               max_concurrent_requests=concurrent, request_timeout=request_timeout)


def start_times(shared_budget, clock, count, deadline=None):
    times = []
    for _number in range(count):
        with shared_budget.request(deadline):
            times.append(clock.ticks)
    return times


def max_in_any_window(times, window=61.0):
    times = sorted(times)
    return max(sum(1 for other in times if start <= other < start + window) for start in times)


def state_file(directory):
    (path,) = [p for p in directory.iterdir() if p.name.endswith('.pace')]
    return path


def test_a_small_burst_then_an_even_pace(tmp_path):
    clock = FakeClock()
    shared = budget(tmp_path, clock, per_minute=100)
    assert shared.burst == 5 and shared.interval == pytest.approx(61.0 / 95)
    times = start_times(shared, clock, 200)
    assert times[:5] == [1000.0] * 5
    gaps = [later - earlier for earlier, later in zip(times[5:], times[6:])]
    assert all(gap == pytest.approx(61.0 / 95) for gap in gaps)
    assert max_in_any_window(times) == 100  # the whole budget in any 61 s, never more, never a minute's at once


@settings(max_examples=60, deadline=None)
@given(gaps=st.lists(st.floats(min_value=0, max_value=5, allow_nan=False), min_size=1, max_size=120),
       per_minute=st.integers(min_value=1, max_value=40))
def test_never_more_than_the_budget_in_any_window(tmp_path_factory, gaps, per_minute):
    clock = FakeClock()
    directory = tmp_path_factory.mktemp('budget')
    forks = [budget(directory, clock, per_minute=per_minute) for _fork in range(3)]
    times = []
    for index, gap in enumerate(gaps):
        clock.ticks += gap
        times.extend(start_times(forks[index % 3], clock, 1))
    assert max_in_any_window(times) <= per_minute


# The pace, holds and order of reservations from two budgets on one store: test_budget_redis.py, for both stores.


def test_other_servers_have_their_own_budget(tmp_path):
    clock = FakeClock()
    start_times(budget(tmp_path, clock, per_minute=2), clock, 1)  # its burst is used up
    assert start_times(budget(tmp_path, clock, per_minute=2, server='https://other.example.com'), clock, 1) == [1000.0]
    assert start_times(budget(tmp_path, clock, per_minute=2), clock, 1) == [1061.0]


def test_turns_are_reserved_in_the_order_they_were_asked_for_across_processes(tmp_path):
    clock = FakeClock()
    first, second = budget(tmp_path, clock, per_minute=20), budget(tmp_path, clock, per_minute=20)
    start_times(first, clock, 1)  # the burst (1 at 20 a minute) is used up
    forever = clock.deadline()
    a, _held = first.store.reserve(forever, first.interval, 0.0, 3600)
    b, _held = second.store.reserve(forever, second.interval, 0.0, 3600)
    assert a == pytest.approx(first.interval) and b == pytest.approx(a + first.interval)
    # The next request, from either, comes after both.
    assert start_times(first, clock, 1) == [pytest.approx(1000.0 + b + first.interval)]


def test_a_429_holds_every_process_off(tmp_path):
    clock = FakeClock()
    first, second = budget(tmp_path, clock), budget(tmp_path, clock)
    first.hold(7.5)
    assert start_times(second, clock, 1) == [pytest.approx(1007.5, abs=0.01)]
    first.hold(99999)
    before = clock.ticks
    start_times(second, clock, 1)
    assert clock.ticks - before == pytest.approx(120.0, abs=0.01)


def test_a_429_hold_is_shared_and_followed_by_the_pace_not_a_burst(tmp_path):
    clock = FakeClock()
    first, second = budget(tmp_path, clock), budget(tmp_path, clock)
    start_times(second, clock, 1)
    first.hold(10)
    times = start_times(second, clock, 2) + start_times(first, clock, 2)
    assert times[0] == pytest.approx(1010.0)
    assert all(later - earlier == pytest.approx(first.interval) for earlier, later in zip(times, times[1:]))


def test_turns_are_served_in_the_order_they_were_reserved_across_threads(tmp_path):
    shared = RequestBudget(limits(10, 8), directory=str(tmp_path), window=1.0)  # a burst of 1, then every 1/9 s
    reserved, started, lock = [], [], threading.Lock()
    real_reserve = shared.store.reserve

    def reserve(*args):
        with lock:  # the order of the store's answers, as the store gave them
            reserved.append(threading.current_thread().name)
            return real_reserve(*args)

    def worker():
        with shared.request(Deadline(30)):
            with lock:
                started.append(threading.current_thread().name)

    shared.store.reserve = reserve
    threads = [threading.Thread(target=worker, name='t%d' % number) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(started) == 8 and started == reserved


def test_a_hold_past_the_deadline_names_the_429_at_once(tmp_path):
    clock = FakeClock()
    shared = budget(tmp_path, clock)
    shared.hold(30)
    with pytest.raises(CdfmcRequestError, match='the deadline came before the end of the hold-off .*HTTP 429'):
        start_times(shared, clock, 1, deadline=clock.deadline(2))
    assert clock.ticks == 1000.0  # no point waiting for what the deadline would not allow


def test_an_arrival_time_far_ahead_in_the_shared_state_is_capped_at_120_s(tmp_path):
    clock = FakeClock()
    shared = budget(tmp_path, clock)
    start_times(shared, clock, 1)
    state_file(tmp_path).write_text(json.dumps({'tat': clock.ticks + 3600}))
    os.chmod(state_file(tmp_path), 0o600)
    before = clock.ticks
    start_times(shared, clock, 1)
    assert clock.ticks - before <= 120.0 + 0.01


def test_the_deadline_ends_a_wait_for_the_budget(tmp_path):
    clock = FakeClock()
    shared = budget(tmp_path, clock, per_minute=2)
    start_times(shared, clock, 2)
    with pytest.raises(CdfmcRequestError, match='deadline came before its turn in the request budget'):
        start_times(shared, clock, 1, deadline=clock.deadline(5))


def test_requests_in_flight_are_capped_across_processes(tmp_path):
    clock = FakeClock()
    holder, other = budget(tmp_path, clock, concurrent=1), budget(tmp_path, clock, concurrent=1)
    with holder.request():
        before = clock.ticks
        with pytest.raises(CdfmcRequestError, match='a request in flight to end .*max_concurrent_requests'):
            with other.request(deadline=clock.deadline(1)):
                pass
        assert clock.ticks - before == pytest.approx(1.0, abs=FLIGHT_RECHECK)
    with other.request(deadline=clock.deadline(1)):
        pass


def test_a_request_killed_in_flight_frees_its_place_after_its_bound(tmp_path):
    clock = FakeClock()
    holder = budget(tmp_path, clock, concurrent=1, request_timeout=10)
    killed = holder.request()
    killed.__enter__()  # a slot taken and never given back: as if killed mid-request
    before = clock.ticks
    other = budget(tmp_path, clock, concurrent=1)
    start_times(other, clock, 1)
    # Free at its bound; the other request asks every FLIGHT_RECHECK, each time for a new turn on the pace.
    assert 10 + FLIGHT_SLACK <= clock.ticks - before <= 10 + FLIGHT_SLACK + other.interval + FLIGHT_RECHECK


def _hold_a_slot(directory, seconds, ready, linger):
    RequestBudget(limits(100, 1), directory=directory).store.take_slot(Deadline(), seconds, 1)
    ready.set()
    if linger:
        time.sleep(600)  # stopped (SIGSTOP) by the test, then killed


def slot_holders(directory):
    return [entry[0] for entry in json.loads(state_file(directory).read_text())['slots'].values()]


def test_a_dead_holder_frees_its_slot_at_once(tmp_path):
    context = multiprocessing.get_context('spawn')  # not forked: this test process runs server threads
    ready = context.Event()
    holder = context.Process(target=_hold_a_slot, args=(str(tmp_path), 3600, ready, False))
    holder.start()
    holder.join(60)
    assert holder.exitcode == 0 and slot_holders(tmp_path) == [holder.pid]
    started = time.monotonic()
    with RequestBudget(limits(100, 1), directory=str(tmp_path)).request(Deadline(10)):
        assert time.monotonic() - started < 1
        assert slot_holders(tmp_path) == [os.getpid()]


def test_a_stopped_holder_frees_its_slot_by_its_bound(tmp_path):
    context = multiprocessing.get_context('spawn')
    ready = context.Event()
    holder = context.Process(target=_hold_a_slot, args=(str(tmp_path), 2.0, ready, True))
    holder.start()
    try:
        assert ready.wait(60)
        taken = time.monotonic()
        os.kill(holder.pid, signal.SIGSTOP)  # alive, but never coming back to free its slot
        with RequestBudget(limits(100, 1), directory=str(tmp_path)).request(Deadline(10)):
            waited = time.monotonic() - taken
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.join(60)
    assert 1.5 <= waited <= 2.0 + FLIGHT_RECHECK + 1.0


def test_a_foreign_state_is_replaced_by_a_sane_one(tmp_path):
    clock = FakeClock()
    warnings = []
    shared = budget(tmp_path, clock, concurrent=1, warn=warnings.append)
    start_times(shared, clock, 1)
    state_file(tmp_path).write_text(json.dumps({
        'tat': 'soon', 'held': [1], 'rate': {'a': 1}, 'other': 1,
        'slots': {'a': 'b', 'c': [0, 1e300], 'd': [True, 1e300], 'g': [1e300, 1e300], 'e': [os.getpid(), float('nan')], 'f': [1]}}))
    assert start_times(shared, clock, 2) == [1000.0, 1000.0]  # no foreign slot holds the one place
    state = json.loads(state_file(tmp_path).read_text())
    assert state['slots'] == {} and isinstance(state['tat'], float) and state['rate'][0] == 2.0
    assert warnings == [] and shared.load() >= 0


def test_the_recent_rate_is_a_share_of_the_budget(tmp_path):
    clock = FakeClock()
    shared = budget(tmp_path, clock, per_minute=100)
    for _number in range(60):
        start_times(shared, clock, 1)
        clock.ticks += 1.0  # 60 a minute: more than half the budget
    assert 0.5 <= shared.load() <= 0.7
    clock.ticks += 180
    assert shared.load() < 0.05


def test_files_hold_no_secret_and_are_private(tmp_path):
    clock = FakeClock()
    start_times(budget(tmp_path, clock, server='https://fmc.example.com'), clock, 2)
    for path in tmp_path.iterdir():
        assert 'fmc.example.com' not in path.name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert 'example' not in path.read_text()


def test_the_state_is_replaced_whole(tmp_path, monkeypatch):
    from ansible_collections.cisco.cdfmc.plugins.module_utils import _statefile
    clock = FakeClock()
    shared = budget(tmp_path, clock)
    start_times(shared, clock, 1)
    renamed = []
    real_replace = _statefile.os.replace

    def replace(source, target):
        renamed.append((source, target))
        real_replace(source, target)
    monkeypatch.setattr(_statefile.os, 'replace', replace)
    start_times(shared, clock, 1)
    # Written under another name, then renamed into place: a kill mid-write leaves the old state.
    assert renamed and all(target == str(state_file(tmp_path)) and source.endswith('.tmp') for source, target in renamed)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith('.tmp')]


def test_the_state_stays_small_at_a_high_rate(tmp_path):
    clock = FakeClock()
    shared = budget(tmp_path, clock, per_minute=100000)
    for _number in range(3000):
        with shared.request():
            pass
        clock.ticks += 0.001
    assert len(state_file(tmp_path).read_text()) < 200


def test_an_interrupted_run_stops_waiting_for_the_budget(tmp_path):
    # The run's deadline carries its stop event: once set, a wait for a turn ends at once.
    stop = threading.Event()
    shared = RequestBudget(limits(1, 2), directory=str(tmp_path))
    with shared.request(Deadline(stop=stop)):
        pass
    stop.set()
    started = time.monotonic()
    with pytest.raises(CdfmcRequestError, match='interrupted'):
        with shared.request(Deadline(stop=stop)):
            pass
    assert time.monotonic() - started < 1


def hold_lock(path):
    """Another process's lock on ``path``, held until closed (flock locks conflict per open file)."""
    descriptor = os.open(str(path), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    return descriptor


def test_a_neighbour_holding_the_lock_for_ever_leaves_this_process_a_budget_of_its_own(tmp_path):
    clock = FakeClock()
    warnings = []
    shared = budget(tmp_path, clock, per_minute=2, warn=warnings.append)
    start_times(shared, clock, 1)
    (lock,) = [p for p in tmp_path.iterdir() if p.name.endswith('.pace.lock')]
    holder = hold_lock(lock)
    try:
        before = clock.ticks
        times = start_times(shared, clock, 3)
        # About 5 s (the lock's patience) once, then the budget of this process alone: still paced.
        assert times[0] - before == pytest.approx(5.0, abs=0.2)
        assert times[1] - times[0] == pytest.approx(61.0, abs=0.1) and times[2] - times[1] == pytest.approx(61.0, abs=0.1)
    finally:
        os.close(holder)
    (warning,) = warnings
    assert str(tmp_path) in warning and 'a budget of its own' in warning and 'stayed locked' in warning


def test_a_deadline_nearer_than_the_patience_ends_the_wait_for_the_lock(tmp_path):
    clock = FakeClock()
    shared = budget(tmp_path, clock)
    start_times(shared, clock, 1)
    (lock,) = [p for p in tmp_path.iterdir() if p.name.endswith('.pace.lock')]
    holder = hold_lock(lock)
    try:
        with pytest.raises(CdfmcRequestError, match='deadline came before the request budget'):
            start_times(shared, clock, 1, deadline=clock.deadline(1))
        assert clock.ticks <= 1001.1
    finally:
        os.close(holder)


@pytest.mark.parametrize('kind', ['fifo', 'symlink to /dev/zero', 'nested JSON', 'mode 0644'])
def test_a_damaged_state_file_is_replaced_with_one_warning(tmp_path, kind):
    clock = FakeClock()
    warnings = []
    shared = budget(tmp_path, clock, per_minute=3, warn=warnings.append)
    start_times(shared, clock, 1)
    state = state_file(tmp_path)
    state.unlink()
    if kind == 'fifo':
        os.mkfifo(state, 0o600)
    elif kind == 'symlink to /dev/zero':
        os.symlink('/dev/zero', state)
    else:
        state.write_text('[' * 5000 + ']' * 5000 if kind == 'nested JSON' else '{"tat": 0}')
        os.chmod(state, 0o600 if kind == 'nested JSON' else 0o644)
    assert len(start_times(shared, clock, 2)) == 2
    assert stat.S_ISREG(os.lstat(state).st_mode) and stat.S_IMODE(os.lstat(state).st_mode) == 0o600
    assert len(warnings) == 1 and 'damaged and has been replaced' in warnings[0] and str(state) in warnings[0]


@pytest.mark.parametrize('kind', ['fifo', 'symlink'])
def test_a_lock_file_that_cannot_be_used_is_left_alone(tmp_path, kind):
    clock = FakeClock()
    warnings = []
    shared = budget(tmp_path, clock, per_minute=3, warn=warnings.append)
    start_times(shared, clock, 1)
    (lock,) = [p for p in tmp_path.iterdir() if p.name.endswith('.pace.lock')]
    lock.unlink()
    os.mkfifo(lock, 0o600) if kind == 'fifo' else os.symlink('/dev/zero', lock)
    assert len(start_times(shared, clock, 2)) == 2
    assert len(warnings) == 1 and 'a budget of its own' in warnings[0]
    assert not stat.S_ISREG(os.lstat(lock).st_mode)


def _worker(directory, count, results):
    shared = RequestBudget(limits(5, 8), directory=directory, window=1.0)
    for _number in range(count):
        with shared.request():
            results.append(time.monotonic())


def test_real_processes_never_exceed_the_budget_and_share_it(tmp_path):
    # Four processes, 5 requests per 1 s window (a short window keeps this quick). Spawned, not
    # forked: this test process runs server threads.
    context = multiprocessing.get_context('spawn')
    with context.Manager() as manager:
        results = manager.list()
        processes = [context.Process(target=_worker, args=(str(tmp_path), 6, results)) for _number in range(4)]
        for process in processes:
            process.start()
        for process in processes:
            process.join(60)
        times = list(results)
    assert len(times) == 24
    # Times are read just after the budget granted each request; allow 0.1 s for that gap on a busy machine.
    assert max_in_any_window(times, window=0.9) <= 5
    # Spread, not burst: 24 requests at 5 a second, one burst of 1 then 0.25 s apart, take about 6 s.
    assert max(times) - min(times) >= 4.5
