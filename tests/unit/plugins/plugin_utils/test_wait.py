# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The poll schedule and the wait loop with a fake clock: no threads, no sleeping, no network."""

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import Deadline
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import (
    CdfmcOptionError,
    CdfmcRequestError,
    CdfmcResponseError,
)
from ansible_collections.cisco.cdfmc.plugins.module_utils._query import compile_query
from ansible_collections.cisco.cdfmc.plugins.module_utils._retry import polled_again
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._wait import (
    Observer,
    PollSchedule,
    Waiter,
    WaitSettings,
    summarize,
)
from support import FakeClock


def is_fatal(error):
    return not polled_again(error)


def check_timing(timeout, poll_interval, max_poll_interval, not_found_grace=0):
    WaitSettings(timeout=timeout, poll_interval=poll_interval, max_poll_interval=max_poll_interval,
                 not_found_grace=not_found_grace)


class Changes(Observer):
    """An observer that calls ``on_change(progress, old_status, old_state)`` for each change."""

    def __init__(self, on_change):
        self._on_change = on_change

    def changed(self, progress, old_status, old_state):
        self._on_change(progress, old_status, old_state)


def settings(timeout=100, poll_interval=1.0, max_poll_interval=4.0, request_timeout=30.0, **options):
    return WaitSettings(timeout=timeout, poll_interval=poll_interval, max_poll_interval=max_poll_interval,
                        request_timeout=request_timeout, **options)


class FakeServer:
    """Tasks as functions of time; records every fetch (id, time, deadline)."""

    def __init__(self, clock, timelines, latency=0.0, errors=None):
        self.clock = clock
        self.timelines = timelines
        self.latency = latency
        self.errors = errors or {}
        self.fetches = []

    def fetch(self, task_id, deadline):
        self.fetches.append((task_id, self.clock.ticks, deadline.at))
        self.clock.ticks += self.latency
        planned = self.errors.get(task_id)
        if planned:
            error = planned.pop(0)
            if error is not None:
                raise error
        status = None
        for at, value in self.timelines[task_id]:
            if at <= self.clock.ticks:
                status = value
        if isinstance(status, dict):
            return status
        return {'id': task_id, 'status': status, 'taskType': 'DEVICE_DEPLOYMENT'}

    def times(self, task_id):
        return [at for fetched, at, _deadline in self.fetches if fetched == task_id]


def wait(clock, server, ids, timeout=100, poll_interval=1.0, max_poll_interval=4.0, rand=lambda: 0.5,
         on_change=None, load=lambda: 1.0, **options):
    """A wait driven by the fake clock; ``load`` (the share of the budget in use) is full unless a test says."""
    waiter = Waiter(ids, server.fetch,
                    settings(timeout, poll_interval, max_poll_interval, options.pop('request_timeout', 30.0), **options),
                    observer=Changes(on_change) if on_change else None, load=load, rand=rand)
    return waiter.run(clock.deadline(timeout))


def test_schedule_grows_by_half_caps_and_resets():
    schedule = PollSchedule(2.0, 10.0, rand=lambda: 0.5)
    base = None
    bases = []
    for changed in (False, False, False, False, False, True, False):
        base = schedule.next_base(base, changed)
        bases.append(base)
    assert bases == [2.0, 3.0, 4.5, 6.75, 10.0, 2.0, 3.0]


@pytest.mark.parametrize('rand,expected', [(0.0, 4.0), (0.5, 5.0), (1.0, 6.0)])
def test_jitter_is_plus_minus_twenty_percent(rand, expected):
    assert PollSchedule(2.0, 10.0, rand=lambda: rand).jittered(5.0) == pytest.approx(expected)


@pytest.mark.parametrize('rand', [0.0, 0.5, 1.0])
def test_no_gap_planned_above_max_poll_interval(rand):
    assert PollSchedule(2.0, 10.0, rand=lambda: rand).jittered(10.0) <= 10.0


def test_while_the_budget_has_room_every_poll_is_at_poll_interval_and_gaps_shrink_back():
    schedule = PollSchedule(2.0, 10.0, rand=lambda: 0.5)
    base = None
    bases = []
    for busy in (False, False, True, True, True, True, True, False, False, False, False, False):
        base = schedule.next_base(base, changed=False, busy=busy)
        bases.append(round(base, 3))
    assert bases == [2.0, 2.0, 3.0, 4.5, 6.75, 10.0, 10.0, 6.667, 4.444, 2.963, 2.0, 2.0]


def test_a_wait_with_room_in_the_budget_polls_every_poll_interval():
    clock = FakeClock(ticks=0.0)
    server = FakeServer(clock, {'t': [(0, 'Deploying'), (20, 'Deployed')]})
    wait(clock, server, ['t'], poll_interval=5, max_poll_interval=30, load=lambda: 0.2)
    assert server.times('t') == [0.0, 5.0, 10.0, 15.0, 20.0]


def test_when_the_budget_binds_the_task_polled_longest_ago_goes_first():
    clock = FakeClock(ticks=0.0)
    server = FakeServer(clock, {'a': [(0, 'Running')], 'b': [(0, 'Running')], 'c': [(0, 'Running')]})
    waiter = Waiter(['a', 'b', 'c'], server.fetch, settings())
    waiter._deadline = waiter._first_deadline = clock.deadline(100.0)
    for task_id, polled_at in (('a', 3.0), ('b', 1.0), ('c', 2.0)):
        waiter.tasks[task_id].polled_at, waiter.tasks[task_id].polls, waiter.tasks[task_id].next_at = polled_at, 1, 4.0
    # All three fall due at once (their order of input: a, b, c): the one answered longest ago is asked first.
    clock.ticks = 4.0
    waiter._start_due_polls(4.0)
    assert [task_id for task_id, _at, _deadline in server.fetches] == ['b', 'c', 'a']


def test_jitter_never_below_poll_interval():
    assert PollSchedule(2.0, 10.0, rand=lambda: 0.0).jittered(2.0) == 2.0


@pytest.mark.parametrize('timing,message', [
    ((-1, 5, 30), 'timeout'), ((None, 5, 30), 'timeout'), ((10, 0, 30), 'poll_interval'),
    ((10, -2, 30), 'poll_interval'), ((10, 5, 4), 'max_poll_interval'),
])
def test_bad_timings_refused(timing, message):
    with pytest.raises(CdfmcOptionError, match=message):
        check_timing(*timing)


def test_first_check_at_once_then_growing_gaps_until_terminal():
    clock = FakeClock(ticks=0.0)
    server = FakeServer(clock, {'t': [(0, 'Deploying'), (20, 'Deployed')]})
    outcome = wait(clock, server, ['t'])
    assert server.times('t') == [0.0, 1.0, 2.5, 4.75, 8.125, 12.125, 16.125, 20.125]
    assert outcome.tasks['t'].state == 'succeeded' and not outcome.timed_out
    assert outcome.tasks['t'].done_at == pytest.approx(20.125)


def test_status_change_resets_the_gap():
    clock = FakeClock(ticks=0.0)
    server = FakeServer(clock, {'t': [(0, 'Pending'), (5, 'Deploying'), (30, 'Deployed')]})
    wait(clock, server, ['t'])
    times = server.times('t')
    changed_at = [t for t in times if t >= 5][0]
    after = [t for t in times if t > changed_at]
    assert after[0] - changed_at == pytest.approx(1.0)  # back to poll_interval after the change
    assert after[1] - after[0] == pytest.approx(1.5)


def test_tasks_follow_their_own_schedules_and_leave_when_done():
    clock = FakeClock(ticks=0.0)
    server = FakeServer(clock, {'a': [(0, 'Running'), (2, 'Success')], 'b': [(0, 'Running'), (9, 'Failed')]})
    outcome = wait(clock, server, ['a', 'b'])
    assert server.times('a') == [0.0, 1.0, 2.5]
    assert server.times('b')[-1] >= 9 and all(t > 2.5 for t in server.times('b')[3:])
    assert outcome.tasks['b'].state == 'failed'


def test_timeout_zero_checks_once_with_a_full_request():
    clock = FakeClock(ticks=0.0)
    server = FakeServer(clock, {'t': [(0, 'Running')]})
    outcome = wait(clock, server, ['t'], timeout=0, request_timeout=30)
    assert server.fetches == [('t', 0.0, 30.0)]
    assert outcome.timed_out and outcome.tasks['t'].polls == 1


def test_poll_interval_longer_than_timeout():
    clock = FakeClock(ticks=0.0)
    server = FakeServer(clock, {'t': [(0, 'Running')]})
    outcome = wait(clock, server, ['t'], timeout=3, poll_interval=10, max_poll_interval=10)
    assert server.times('t') == [0.0]
    assert outcome.timed_out and clock.ticks == pytest.approx(3.0)
    assert max(clock.sleeps) <= 0.5  # waits in short steps, so a stop is seen quickly


def test_deadline_falling_mid_sleep_gets_a_last_check_before_it():
    clock = FakeClock(ticks=0.0)
    server = FakeServer(clock, {'t': [(0, 'Running'), (9.5, 'Deployed')]})
    outcome = wait(clock, server, ['t'], timeout=10, poll_interval=4, max_poll_interval=8)
    # Polls at 0 and 4; the next (at 10) would fall on the deadline, so one comes 2 s before it.
    assert server.times('t') == [0.0, 4.0, 8.0]
    assert outcome.timed_out and outcome.ended == pytest.approx(10.0)
    assert all(deadline == 10.0 for _task_id, at, deadline in server.fetches if at > 0)


def test_until_query_ends_a_task_early():
    clock = FakeClock(ticks=0.0)
    server = FakeServer(clock, {'t': [(0, 'Pending'), (3, 'Deploying'), (50, 'Deployed')]})
    outcome = wait(clock, server, ['t'], until_query=compile_query("state == 'running'", 'until_query'))
    assert outcome.tasks['t'].until_matched and outcome.tasks['t'].state == 'running'
    assert clock.ticks < 5 and not outcome.timed_out


def test_fail_fast_returns_at_the_first_failure():
    clock = FakeClock(ticks=0.0)
    server = FakeServer(clock, {'a': [(0, 'Running'), (2, 'Failed')], 'b': [(0, 'Running'), (60, 'Success')]})
    outcome = wait(clock, server, ['a', 'b'], fail_fast=True)
    assert outcome.stopped_by_failure and clock.ticks < 5
    assert outcome.tasks['b'].state == 'running' and not outcome.tasks['b'].done
    clock = FakeClock(ticks=0.0)
    server = FakeServer(clock, {'a': [(0, 'Running'), (2, 'Failed')], 'b': [(0, 'Running'), (12, 'Success')]})
    outcome = wait(clock, server, ['a', 'b'])
    assert not outcome.stopped_by_failure and outcome.tasks['b'].state == 'succeeded'


def test_transient_errors_keep_last_facts_and_poll_again():
    clock = FakeClock(ticks=0.0)
    transient = [None, CdfmcRequestError('GET x: HTTP 503', status=503),
                 CdfmcRequestError('GET x: connection refused', refused=True),
                 CdfmcResponseError('GET x: not JSON', status=200)]
    server = FakeServer(clock, {'t': [(0, 'Running'), (10, 'Deployed')]}, errors={'t': transient})
    changes = []
    outcome = wait(clock, server, ['t'], on_change=lambda p, old, _s: changes.append((old, p.status)))
    progress = outcome.tasks['t']
    assert progress.state == 'succeeded' and progress.error is None and progress.polls >= 5
    assert changes == [(None, 'Running'), ('Running', 'Deployed')]


def test_transient_error_at_the_end_is_reported_with_last_facts():
    clock = FakeClock(ticks=0.0)
    errors = [None] + [CdfmcRequestError('GET x: HTTP 502', status=502)] * 50
    server = FakeServer(clock, {'t': [(0, 'Running')]}, errors={'t': errors})
    outcome = wait(clock, server, ['t'], timeout=10)
    assert outcome.timed_out and outcome.tasks['t'].status == 'Running' and 'HTTP 502' in outcome.tasks['t'].error


@pytest.mark.parametrize('status', [401, 403, 404])
def test_refusals_end_that_task_only(status):
    clock = FakeClock(ticks=0.0)
    server = FakeServer(clock, {'bad': [], 'good': [(0, 'Running'), (3, 'Success')]},
                        errors={'bad': [CdfmcRequestError('GET bad: HTTP %d' % status, status=status)]})
    outcome = wait(clock, server, ['bad', 'good'], not_found_grace=0)
    assert outcome.tasks['bad'].done and outcome.tasks['bad'].polls == 1 and 'HTTP' in outcome.tasks['bad'].error
    assert outcome.tasks['good'].state == 'succeeded'


def test_stop_event_ends_the_wait():
    import threading
    stop = threading.Event()
    clock = FakeClock(ticks=0.0)
    server = FakeServer(clock, {'t': [(0, 'Running')]})
    sleep = clock.sleep

    def sleep_then_stop_after_5_s(seconds, stopping):
        stopped = sleep(seconds, stopping)
        if clock.ticks > 5:
            stop.set()
        return stopped

    clock.sleep = sleep_then_stop_after_5_s
    waiter = Waiter(['t'], server.fetch, settings(100, 1.0, 4.0, 30.0))
    outcome = waiter.run(clock.deadline(100, stop=stop))
    assert outcome.interrupted and clock.ticks < 6


def _summarize(outcome, ids, include_raw=True, fail_on_failure=True):
    return summarize(outcome, ids, WaitSettings(timeout=100, include_raw=include_raw, fail_on_failure=fail_on_failure))


def test_summary_in_input_order_with_duplicates():
    clock = FakeClock(ticks=0.0)
    server = FakeServer(clock, {
        'a': [(0, 'Success')],
        'b': [(0, {'id': 'b', 'status': 'Failed', 'message': 'Deployment failed', 'taskType': 'DEVICE_DEPLOYMENT',
                   'subTasks': [{'status': 'FAILED', 'message': 'nameif clash', 'target': {'id': 'd2', 'name': 'ftd-2'}},
                                {'status': 'SUCCESS', 'target': {'id': 'd1', 'name': 'ftd-1'}}]})],
    })
    outcome = wait(clock, server, ['a', 'b'])
    result = _summarize(outcome, ['b', 'a', 'b'])
    assert [task['id'] for task in result['tasks']] == ['b', 'a', 'b']
    assert result['summary'] == {'total': 3, 'succeeded': 1, 'failed': 2, 'cancelled': 0, 'unfinished': 0, 'errors': 0}
    assert result['failed'] and not result['all_succeeded'] and not result['timed_out']
    assert 'task b (DEVICE_DEPLOYMENT) failed: Deployment failed' in result['msg']
    assert 'device ftd-2 failed: nameif clash' in result['msg'] and 'ftd-1' not in result['msg']
    assert all({'elapsed', 'polls', 'error', 'raw'} <= set(task) for task in result['tasks'])
    assert not _summarize(outcome, ['b'], fail_on_failure=False)['failed']


def test_summary_of_a_timeout_keeps_every_last_fact():
    clock = FakeClock(ticks=0.0)
    server = FakeServer(clock, {'a': [(0, 'Success')], 'b': [(0, 'Deploying')]},
                        errors={'c': [CdfmcRequestError('GET c: HTTP 404 Task c not found.', status=404)]})
    server.timelines['c'] = []
    outcome = wait(clock, server, ['a', 'b', 'c'], timeout=5, not_found_grace=0)
    result = _summarize(outcome, ['a', 'b', 'c'], include_raw=False)
    assert result['timed_out'] and result['failed']
    assert [t['state'] for t in result['tasks']] == ['succeeded', 'running', 'unknown']
    assert result['tasks'][1]['status'] == 'Deploying' and result['tasks'][1]['polls'] >= 3
    assert result['tasks'][2]['error'] and 'raw' not in result['tasks'][2]
    assert result['summary']['unfinished'] == 2 and result['summary']['errors'] == 1
    assert 'timed out after 100s with 1 task(s) unfinished: b (running)' in result['msg']
    assert 'task c: GET c: HTTP 404 Task c not found.' in result['msg']


def test_summary_when_all_succeed():
    clock = FakeClock(ticks=0.0)
    server = FakeServer(clock, {'a': [(0, 'Success')]})
    result = _summarize(wait(clock, server, ['a']), ['a'])
    assert not result['failed'] and result['all_succeeded'] and result['msg'].startswith('all 1 task(s) succeeded')


def test_a_slow_answer_does_not_stall_the_other_tasks():
    import threading
    import time as real_time

    from ansible_collections.cisco.cdfmc.plugins.plugin_utils._wait import DaemonThreadPool

    release = threading.Event()
    polled = []

    def fetch(task_id, deadline):
        polled.append((task_id, real_time.monotonic()))
        if task_id == 'slow':
            release.wait(5)
            return {'status': 'Success'}
        return {'status': 'Success' if len([p for p in polled if p[0] == 'fast']) >= 3 else 'Running'}

    pool = DaemonThreadPool(2)
    started = real_time.monotonic()
    waiter = Waiter(['slow', 'fast'], fetch, settings(30, 0.05, 0.05, 30.0), pool=pool,
                    observer=Changes(lambda progress, old, _state: progress.id == 'fast'
                                     and progress.state == 'succeeded' and release.set()))
    outcome = waiter.run(Deadline(30))
    pool.shutdown()
    assert outcome.tasks['fast'].state == 'succeeded' and outcome.tasks['slow'].state == 'succeeded'
    # The fast task finished (and released the slow answer) long before the slow answer's own 5 s.
    assert real_time.monotonic() - started < 3
    assert [task_id for task_id, _at in polled].count('fast') == 3


def test_no_busy_loop_past_the_deadline_while_an_answer_is_out():
    import time as real_time

    from ansible_collections.cisco.cdfmc.plugins.plugin_utils._wait import DaemonThreadPool

    calls = []

    class CountingPool(DaemonThreadPool):
        def wait_any(self, futures, seconds):
            calls.append(seconds)
            return super(CountingPool, self).wait_any(futures, seconds)

    def fetch(task_id, deadline):
        real_time.sleep(1.0)
        return {'status': 'Running'}

    pool = CountingPool(1)
    waiter = Waiter(['slow'], fetch, settings(0, 1.0, 4.0, 30.0), pool=pool)
    outcome = waiter.run(Deadline(0))
    pool.shutdown()
    assert outcome.timed_out and outcome.tasks['slow'].polls == 1
    assert len(calls) <= 4 and all(seconds == 0.5 for seconds in calls)


def test_the_last_poll_leaves_time_to_answer_before_the_deadline():
    clock = FakeClock(ticks=0.0)
    server = FakeServer(clock, {'t': [(0, 'Running')]})
    wait(clock, server, ['t'], timeout=12.2, poll_interval=1, max_poll_interval=4)
    assert max(server.times('t')) <= 12.2 - 2.0
    assert all(deadline - at >= 2.0 for _task_id, at, deadline in server.fetches if at > 0)


@pytest.mark.parametrize('status,fatal', [(301, True), (302, True), (400, True), (401, True), (403, True),
                                          (404, True), (405, True), (408, False), (429, False), (500, False),
                                          (501, True), (502, False), (503, False), (504, False), (505, True)])
def test_which_http_errors_end_a_task(status, fatal):
    assert is_fatal(CdfmcRequestError('x', status=status)) is fatal
    assert is_fatal(CdfmcRequestError('connection refused', refused=True)) is False
    assert is_fatal(CdfmcResponseError('not JSON', status=200)) is False


def test_failed_devices_of_an_unfinished_task_are_named():
    clock = FakeClock(ticks=0.0)
    body = {'status': 'Deploying', 'taskType': 'DEVICE_DEPLOYMENT', 'subTasks': [
        {'status': 'FAILED', 'message': 'no route', 'target': {'id': 'd1', 'name': 'ftd-1'}},
        {'status': 'DEPLOYING', 'target': {'id': 'd2', 'name': 'ftd-2'}}]}
    server = FakeServer(clock, {'t': [(0, body)]})
    result = _summarize(wait(clock, server, ['t'], timeout=3), ['t'])
    assert 'task t (DEVICE_DEPLOYMENT) still running; device ftd-1 failed: no route' in result['msg']
    assert result['tasks'][0]['failed_targets'] == ['ftd-1']


def not_found(task_id):
    return CdfmcRequestError('GET /x/%s on https://fmc: HTTP 404 Not Found: Task %s not found.' % (task_id, task_id),
                             status=404)


def test_a_task_not_visible_yet_is_polled_until_it_appears():
    clock = FakeClock(ticks=0.0)
    server = FakeServer(clock, {'t': [(0, 'Deploying'), (12, 'Deployed')]}, errors={'t': [not_found('t')] * 3})
    changes = []
    outcome = wait(clock, server, ['t'], not_found_grace=60,
                   on_change=lambda p, old, _s: changes.append((p.facts is None, p.error, old, p.status)))
    progress = outcome.tasks['t']
    assert progress.state == 'succeeded' and progress.error is None and not progress.not_visible
    assert server.times('t')[:4] == [0.0, 1.0, 2.5, 4.75]
    # One line while it was not visible (its first 404), then the usual changes.
    assert changes == [(True, 'not visible yet (404), grace ends in 60 s', None, None),
                       (False, None, None, 'Deploying'), (False, None, 'Deploying', 'Deployed')]


def test_a_poll_falls_at_the_end_of_the_grace_and_its_404_ends_the_task():
    clock = FakeClock(ticks=0.0)
    server = FakeServer(clock, {'typo': []}, errors={'typo': [not_found('typo')] * 50})
    outcome = wait(clock, server, ['typo'], not_found_grace=10, poll_interval=4, max_poll_interval=8)
    progress = outcome.tasks['typo']
    assert server.times('typo') == [0.0, 4.0, 10.0]
    assert progress.done and progress.done_at == 10.0 and not outcome.timed_out
    assert 'task typo was not found (HTTP 404) from the start of the wait to the end of not_found_grace (10 s)' \
        in progress.error
    assert 'Task typo not found.' in progress.error


def test_the_grace_counts_from_the_start_of_the_wait():
    clock = FakeClock(ticks=0.0)
    server = FakeServer(clock, {'t': []}, errors={'t': [not_found('t')] * 50})
    outcome = wait(clock, server, ['t'], not_found_grace=3, poll_interval=1, max_poll_interval=1)
    assert server.times('t') == [0.0, 1.0, 2.0, 3.0] and outcome.tasks['t'].done_at == 3.0


def test_a_task_that_answered_before_and_then_404_disappeared():
    clock = FakeClock(ticks=0.0)
    server = FakeServer(clock, {'t': [(0, 'Running')]}, errors={'t': [None, None, not_found('t')]})
    outcome = wait(clock, server, ['t'], not_found_grace=60)
    progress = outcome.tasks['t']
    assert progress.done and progress.polls == 3 and progress.status == 'Running'
    assert progress.error.startswith('task t disappeared: it answered before, and now HTTP 404')


def test_no_grace_ends_the_task_at_the_first_404():
    clock = FakeClock(ticks=0.0)
    server = FakeServer(clock, {'t': []}, errors={'t': [not_found('t')]})
    outcome = wait(clock, server, ['t'], not_found_grace=0)
    assert outcome.tasks['t'].done and outcome.tasks['t'].polls == 1
    assert outcome.tasks['t'].error == str(not_found('t'))


@pytest.mark.parametrize('timeout', [0, 5])
def test_a_timeout_within_the_grace_names_the_404(timeout):
    clock = FakeClock(ticks=0.0)
    server = FakeServer(clock, {'t': [], 'u': [(0, 'Running')]}, errors={'t': [not_found('t')] * 50})
    outcome = wait(clock, server, ['t', 'u'], timeout=timeout, not_found_grace=60)
    result = _summarize(outcome, ['t', 'u'])
    assert result['timed_out'] and result['failed']
    assert ('timed out after 100s with 2 task(s) unfinished: t (not visible yet: HTTP 404 since the start), '
            'u (running)') in result['msg']
    assert result['tasks'][0]['error'].startswith('not visible yet (404), grace ends in ')


def test_not_found_grace_must_not_be_negative():
    with pytest.raises(CdfmcOptionError, match='not_found_grace'):
        check_timing(10, 1, 1, -1)


def test_a_partial_success_is_named_in_the_message():
    clock = FakeClock(ticks=0.0)
    body = {'status': 'PARTIALLY_SUCCEEDED', 'taskType': 'DEVICE_DEPLOYMENT', 'message': 'Done with warnings',
            'subTasks': [{'status': 'SUCCEEDED', 'target': {'name': 'ftd-1'}},
                         {'status': 'PRIMARY_BOOTSTRAP_PARTIALLY_SUCCEEDED', 'message': 'standby not ready',
                          'target': {'name': 'ftd-2'}}]}
    server = FakeServer(clock, {'t': [(0, body)]})
    result = _summarize(wait(clock, server, ['t']), ['t'])
    assert result['failed'] and result['tasks'][0]['state'] == 'failed'
    assert result['tasks'][0]['message'] == 'Done with warnings'
    assert ('task t (DEVICE_DEPLOYMENT) failed (partially succeeded): Done with warnings; '
            'device ftd-2 partially succeeded: standby not ready') in result['msg']


def test_a_busy_400_is_polled_again_and_other_400s_end_the_task():
    assert not is_fatal(CdfmcRequestError('x', status=400, detail='Server busy. Please try again.'))
    assert not is_fatal(CdfmcRequestError('x', status=400, detail='Retry the operation after sometime'))
    assert is_fatal(CdfmcRequestError('x', status=400, detail='Invalid object id'))


def test_an_answer_that_never_comes_is_not_waited_for_past_timeout_plus_request_timeout():
    import threading
    import time as real_time

    from ansible_collections.cisco.cdfmc.plugins.plugin_utils._wait import DaemonThreadPool

    never = threading.Event()

    def fetch(task_id, deadline):
        if task_id == 'stuck':
            never.wait(30)  # a fetch that ignores its deadline (a stuck lock, say)
        return {'status': 'Running'}

    pool = DaemonThreadPool(2)
    deadline = Deadline(1)
    real_time.sleep(0.5)
    started = real_time.monotonic()
    waiter = Waiter(['stuck', 'fine'], fetch, settings(1, 0.2, 0.2, 1.0), pool=pool)
    outcome = waiter.run(deadline)
    pool.shutdown()
    never.set()
    # The deadline counts from the given start: timeout 1 s + request_timeout 1 s, of which 0.5 s had passed.
    assert outcome.timed_out and real_time.monotonic() - started < 1.5 + 0.5
    assert outcome.tasks['stuck'].polls == 0 and outcome.tasks['fine'].polls == 1


def test_first_checks_get_a_full_request_timeout_from_the_start_only():
    clock = FakeClock(ticks=4.0)
    deadline = clock.deadline(0)
    clock.advance(6.0)
    server = FakeServer(clock, {'t': [(0, 'Running')]})
    waiter = Waiter(['t'], server.fetch, settings(0, 1.0, 4.0, 30.0))
    outcome = waiter.run(deadline)
    assert server.fetches == [('t', 10.0, 34.0)] and outcome.timed_out


def test_a_wait_restarted_later_counts_its_grace_from_then_and_keeps_the_end():
    # cdfmc_deploy's wait counts from its request, and ends by the task's one deadline.
    clock = FakeClock(ticks=1.0)
    task = clock.deadline(60)
    clock.advance(49.0)
    server = FakeServer(clock, {'t': []}, errors={'t': [not_found('t')] * 50})
    settings = WaitSettings(timeout=60, poll_interval=2, max_poll_interval=9, not_found_grace=30)
    outcome = Waiter(['t'], server.fetch, settings).run(task.restarted())
    assert outcome.started == 50.0 and outcome.timed_out and outcome.tasks['t'].not_visible
    # Its first check gets a full request_timeout from the restart; the others end by the one deadline.
    assert server.fetches[0][1:] == (50.0, 80.0) and {deadline for _id, _at, deadline in server.fetches[1:]} == {61.0}
    assert max(server.times('t')) <= 61.0
    assert (settings.timeout, settings.poll_interval, settings.max_poll_interval, settings.not_found_grace) == (
        60, 2, 9, 30)
    with pytest.raises(CdfmcOptionError, match='timeout must be'):
        WaitSettings(timeout=-1, poll_interval=2, max_poll_interval=9, not_found_grace=30)
