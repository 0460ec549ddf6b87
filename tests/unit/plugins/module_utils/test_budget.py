# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import json
import multiprocessing
import os
import stat
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.cisco.cdfmc.plugins.module_utils import _budget
from ansible_collections.cisco.cdfmc.plugins.module_utils._budget import RequestBudget
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcRequestError

SERVER = 'https://fmc.example.com'


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def wait(self, seconds):
        self.now += seconds


def budget(tmp_path, clock, per_minute=3, concurrent=2, server=SERVER):
    return RequestBudget(server, per_minute, concurrent, directory=str(tmp_path), clock=clock, wait=clock.wait)


def start_times(shared_budget, clock, count, deadline=None):
    times = []
    for _number in range(count):
        with shared_budget.request(deadline):
            times.append(clock.now)
    return times


def max_in_any_window(times, window=60.0):
    times = sorted(times)
    return max(sum(1 for other in times if start <= other < start + window) for start in times)


def test_sliding_window_paces_the_fourth_request(tmp_path):
    clock = FakeClock()
    times = start_times(budget(tmp_path, clock), clock, 7)
    assert times[:3] == [1000.0] * 3
    assert times[3] == pytest.approx(1061.0, abs=0.01)  # the 60 s window plus the delay margin
    assert max_in_any_window(times) == 3


def test_processes_sharing_the_directory_share_the_budget(tmp_path):
    clock = FakeClock()
    first, second = budget(tmp_path, clock), budget(tmp_path, clock)
    times = []
    for turn in range(8):
        times.extend(start_times(first if turn % 2 else second, clock, 1))
    assert max_in_any_window(times) == 3 and len(times) == 8


def test_other_servers_have_their_own_budget(tmp_path):
    clock = FakeClock()
    start_times(budget(tmp_path, clock), clock, 3)
    assert start_times(budget(tmp_path, clock, server='https://other.example.com'), clock, 3) == [1000.0] * 3


def test_hold_after_a_429_applies_to_everyone(tmp_path):
    clock = FakeClock()
    first, second = budget(tmp_path, clock, per_minute=100), budget(tmp_path, clock, per_minute=100)
    first.hold(7.5)
    assert start_times(second, clock, 1) == [pytest.approx(1007.5, abs=0.01)]


def test_deadline_ends_a_wait_for_budget(tmp_path):
    clock = FakeClock()
    shared = budget(tmp_path, clock, per_minute=1)
    start_times(shared, clock, 1)
    with pytest.raises(CdfmcRequestError, match='max_requests_per_minute'):
        start_times(shared, clock, 1, deadline=clock.now + 5)
    assert clock.now == pytest.approx(1005.0, abs=0.01)


def test_concurrent_slots_are_exclusive_across_processes(tmp_path):
    clock = FakeClock()
    holder, other = budget(tmp_path, clock, per_minute=100, concurrent=1), budget(tmp_path, clock, 100, 1)
    with holder.request():
        with pytest.raises(CdfmcRequestError, match='slot'):
            with other.request(deadline=clock.now + 1):
                pass
    with other.request(deadline=clock.now + 1):
        pass


def test_files_hold_no_secret_and_are_private(tmp_path):
    clock = FakeClock()
    start_times(budget(tmp_path, clock, server='https://fmc.example.com'), clock, 2)
    for name in os.listdir(tmp_path):
        assert 'fmc.example.com' not in name
        path = tmp_path / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert 'example' not in path.read_text()


def test_corrupt_state_is_recovered(tmp_path):
    clock = FakeClock()
    shared = budget(tmp_path, clock)
    start_times(shared, clock, 1)
    (state,) = [p for p in tmp_path.iterdir() if p.name.endswith('.rate')]
    state.write_text('{not json')
    assert start_times(shared, clock, 1) == [1000.0]


def _worker(directory, count, results):
    shared = RequestBudget(SERVER, 5, 2, directory=directory, window=1.0)
    for _number in range(count):
        with shared.request():
            results.append(time.monotonic())


def test_real_processes_never_exceed_the_window(tmp_path):
    # Four processes, 5 requests per 1 s window (a short window keeps this quick). Spawned, not
    # forked: this test process runs server threads.
    context = multiprocessing.get_context('spawn')
    with context.Manager() as manager:
        results = manager.list()
        processes = [context.Process(target=_worker, args=(str(tmp_path), 4, results)) for _number in range(4)]
        for process in processes:
            process.start()
        for process in processes:
            process.join(60)
        times = list(results)
    assert len(times) == 16
    # Times are read just after the budget granted each request; allow 0.1 s for that gap on a busy machine.
    # A budget that let a burst through would put far more than 5 into it.
    assert max_in_any_window(times, window=0.9) <= 5
    assert max(times) - min(times) >= 2.0  # 16 requests at 5 per second need at least three windows


def test_a_hold_past_the_deadline_names_the_429(tmp_path):
    clock = FakeClock()
    shared = budget(tmp_path, clock, per_minute=100)
    shared.hold(30)
    with pytest.raises(CdfmcRequestError, match='hold-off the server asked for'):
        start_times(shared, clock, 1, deadline=clock.now + 2)


def test_state_is_replaced_whole(tmp_path):
    clock = FakeClock()
    shared = budget(tmp_path, clock)
    start_times(shared, clock, 2)
    (state,) = [p for p in tmp_path.iterdir() if p.name.endswith('.rate')]
    inode = state.stat().st_ino
    start_times(shared, clock, 1)
    assert state.stat().st_ino != inode  # a new file took its place: a kill mid-write leaves the old one
    assert not [p for p in tmp_path.iterdir() if p.name.endswith('.tmp')]


def test_state_stays_small_at_a_high_rate(tmp_path):
    # 100 requests a second for a minute: the file holds one entry per quarter second, not one per request.
    clock = FakeClock()
    shared = budget(tmp_path, clock, per_minute=100000)
    for _number in range(6000):
        with shared.request():
            pass
        clock.now += 0.01
    (state,) = [p for p in tmp_path.iterdir() if p.name.endswith('.rate')]
    sent = json.loads(state.read_text())['sent']
    assert len(sent) <= 61 / _budget.BUCKET_SECONDS + 1
    assert sum(count for _at, count in sent) == 6000


def test_send_times_written_by_an_older_release_still_count(tmp_path):
    # Two releases on one controller share the file: bare times count as one send each, junk is dropped.
    clock = FakeClock()
    shared = budget(tmp_path, clock, per_minute=3)
    start_times(shared, clock, 1)
    (state,) = [p for p in tmp_path.iterdir() if p.name.endswith('.rate')]
    state.write_text(json.dumps({'sent': [clock.now, clock.now, 'x', [clock.now, -1], [clock.now, True], True]}))
    times = start_times(shared, clock, 2)
    assert times[0] == 1000.0
    assert times[1] == pytest.approx(1061.0, abs=0.01)  # the two older sends and the first new one filled the window


@settings(max_examples=60, deadline=None)
@given(gaps=st.lists(st.floats(min_value=0, max_value=3, allow_nan=False), min_size=1, max_size=60),
       per_minute=st.integers(min_value=1, max_value=12))
def test_grouped_sends_never_let_a_request_out_of_the_window_early(tmp_path_factory, gaps, per_minute):
    clock = FakeClock()
    shared = budget(tmp_path_factory.mktemp('budget'), clock, per_minute=per_minute)
    times = []
    for gap in gaps:
        clock.now += gap
        times.extend(start_times(shared, clock, 1))
    assert max_in_any_window(times, window=61.0) <= per_minute


def test_an_interrupted_run_stops_waiting_for_the_budget(tmp_path):
    # The action plugin gives the budget its stop event's wait: once set, a wait for room ends at once.
    import threading

    stop = threading.Event()
    shared = RequestBudget(SERVER, 1, 2, directory=str(tmp_path), wait=stop.wait)
    start_times(shared, FakeClock(), 1)
    stop.set()
    with pytest.raises(CdfmcRequestError):
        with shared.request():
            pass


def hold_lock(path):
    """Another process's lock on ``path``, held until closed (flock locks conflict per open file)."""
    import fcntl
    descriptor = os.open(str(path), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    return descriptor


def shared_files(tmp_path, suffix):
    return [p for p in tmp_path.iterdir() if p.name.endswith(suffix)]


def test_a_neighbour_holding_the_lock_for_ever_leaves_this_process_a_budget_of_its_own(tmp_path):
    clock = FakeClock()
    warnings = []
    shared = RequestBudget(SERVER, 2, 2, directory=str(tmp_path), clock=clock, wait=clock.wait, warn=warnings.append)
    start_times(shared, clock, 1)
    (lock,) = shared_files(tmp_path, '.lock')
    holder = hold_lock(lock)
    try:
        before = clock.now
        times = start_times(shared, clock, 3)
        # About 5 s (the lock's patience) once, then the budget of this process alone: still paced.
        assert times[0] - before == pytest.approx(5.0, abs=0.2)
        assert times[1] == times[0] and times[2] - times[0] == pytest.approx(61.0, abs=0.1)
    finally:
        os.close(holder)
    (warning,) = warnings
    assert str(tmp_path) in warning and 'a budget of its own' in warning and 'stayed locked' in warning


def test_a_deadline_nearer_than_the_patience_ends_the_wait_for_the_lock(tmp_path):
    clock = FakeClock()
    shared = budget(tmp_path, clock)
    start_times(shared, clock, 1)
    (lock,) = shared_files(tmp_path, '.lock')
    holder = hold_lock(lock)
    try:
        with pytest.raises(CdfmcRequestError, match='deadline came before the request budget'):
            start_times(shared, clock, 1, deadline=clock.now + 1)
        assert clock.now <= 1001.1
    finally:
        os.close(holder)


def test_slots_held_for_ever_leave_this_process_slots_of_its_own(tmp_path):
    clock = FakeClock()
    warnings = []
    shared = RequestBudget(SERVER, 100, 2, directory=str(tmp_path), clock=clock, wait=clock.wait,
                           warn=warnings.append, slot_patience=7)
    start_times(shared, clock, 1)
    (slot0,) = shared_files(tmp_path, '.slot0')
    holders = [hold_lock(slot0), hold_lock(str(slot0)[:-1] + '1')]
    try:
        before = clock.now
        start_times(shared, clock, 2)
        assert clock.now - before == pytest.approx(7.0, abs=0.2)
    finally:
        for holder in holders:
            os.close(holder)
    assert len(warnings) == 1 and 'every concurrent request slot stayed locked for 7 s' in warnings[0]


@pytest.mark.parametrize('kind', ['fifo', 'symlink to /dev/zero', 'nested JSON', 'mode 0644'])
def test_a_damaged_state_file_is_replaced_with_one_warning(tmp_path, kind):
    clock = FakeClock()
    warnings = []
    shared = RequestBudget(SERVER, 3, 2, directory=str(tmp_path), clock=clock, wait=clock.wait, warn=warnings.append)
    start_times(shared, clock, 1)
    (state,) = shared_files(tmp_path, '.rate')
    state.unlink()
    if kind == 'fifo':
        os.mkfifo(state, 0o600)
    elif kind == 'symlink to /dev/zero':
        os.symlink('/dev/zero', state)
    else:
        state.write_text('[' * 5000 + ']' * 5000 if kind == 'nested JSON' else '{"sent": []}')
        os.chmod(state, 0o600 if kind == 'nested JSON' else 0o644)
    assert start_times(shared, clock, 3) == [1000.0] * 3  # the damaged state counted nothing
    assert stat.S_ISREG(os.lstat(state).st_mode) and stat.S_IMODE(os.lstat(state).st_mode) == 0o600
    assert len(warnings) == 1 and 'damaged and has been replaced' in warnings[0] and str(state) in warnings[0]


@pytest.mark.parametrize('kind', ['fifo', 'symlink'])
def test_a_lock_or_slot_file_that_cannot_be_used_is_left_alone(tmp_path, kind):
    clock = FakeClock()
    warnings = []
    shared = RequestBudget(SERVER, 3, 1, directory=str(tmp_path), clock=clock, wait=clock.wait, warn=warnings.append)
    start_times(shared, clock, 1)
    for path in shared_files(tmp_path, '.lock') + shared_files(tmp_path, '.slot0'):
        path.unlink()
        os.mkfifo(path, 0o600) if kind == 'fifo' else os.symlink('/dev/zero', path)
    assert len(start_times(shared, clock, 2)) == 2
    assert len(warnings) == 1 and 'a budget of its own' in warnings[0]
    assert all(not stat.S_ISREG(os.lstat(path).st_mode) for path in shared_files(tmp_path, '.lock'))


def test_a_hold_far_ahead_in_the_shared_state_is_capped_at_120_s(tmp_path):
    clock = FakeClock()
    shared = budget(tmp_path, clock, per_minute=100)
    start_times(shared, clock, 1)
    (state,) = shared_files(tmp_path, '.rate')
    state.write_text(json.dumps({'sent': [], 'hold_until': clock.now + 3600}))
    before = clock.now
    start_times(shared, clock, 1)
    assert clock.now - before == pytest.approx(120.0, abs=0.1)
    shared.hold(99999)
    before = clock.now
    start_times(shared, clock, 1)
    assert clock.now - before == pytest.approx(120.0, abs=0.1)
