# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the fmc_events source has seen (EventState), poll by poll, with FMC's job history as a list of jobs read by
_jobs.read_job: no event for what ended before the source began, nothing repeated, nothing forgotten that runs."""

from ansible_collections.cisco.cdfmc.plugins.plugin_utils._events import HORIZON, LOOKBACK, MAX_ENDED, EventState

HOUR = 3600 * 1000
NOW = 1800000000000
POLL = 15000


def job(number, start, end, state='failed', devices=None, job_id=None):
    device_list = [{'id': 'd1', 'name': 'ftd-1', 'container_id': None, 'container_name': None, 'status': 'FAILED',
                    'state': state, 'can_rollback': None}] if devices is None else devices
    return {'id': job_id or 'j%d' % number, 'name': 'Deploy_Job_%d' % number, 'type': 'DEPLOYMENT',
            'status': None if state is None else state.upper(), 'state': state, 'start_ms': start, 'end_ms': end,
            'start_time': 'start', 'end_time': 'end', 'note': None, 'user': 'admin', 'devices': device_list}


def listed(history, state, now):
    """The jobs FMC lists in the state's window (by start, as the simulator does)."""
    since, until = state.window(now)
    return [item for item in history if since <= item['start_ms'] <= until]


def poll(state, jobs, now):
    events = state.take_jobs(jobs, now)
    state.polled(now)
    return [event['cdfmc']['id'] for event in events]


def test_a_fresh_start_gives_nothing_for_jobs_that_ended_before_it_behind_a_job_deploying_for_long():
    deploying = job(0, NOW - LOOKBACK - 4 * HOUR, None, state='running')
    history = [deploying, job(1, NOW - LOOKBACK - 3 * HOUR, NOW - LOOKBACK - 3 * HOUR + 60000),
               job(2, NOW - LOOKBACK - HOUR, NOW - LOOKBACK - HOUR + 60000), job(3, NOW - HOUR, NOW - HOUR + 60000)]
    state = EventState(None)
    assert poll(state, listed(history, state, NOW) + [deploying], NOW) == []  # the first poll reads what deploys too
    assert poll(state, listed(history, state, NOW + POLL), NOW + POLL) == []
    assert state.window(NOW + 2 * POLL)[0] == deploying['start_ms']
    history[0] = dict(deploying, state='failed', end_ms=NOW + 2 * POLL)
    history.append(job(4, NOW + POLL, NOW + 2 * POLL))
    assert poll(state, listed(history, state, NOW + 3 * POLL), NOW + 3 * POLL) == [
        'deployment:j0', 'deployment:j0:d1', 'deployment:j4', 'deployment:j4:d1']


def test_a_job_that_ran_before_the_start_unseen_but_ended_after_it_gives_its_events():
    rollback = dict(job(0, NOW - LOOKBACK - HOUR, None, state='running'), type='ROLLBACK')
    follower = job(1, NOW - LOOKBACK - 2 * HOUR, None, state='running')
    state = EventState(None)
    assert poll(state, [follower], NOW) == []
    ended = dict(rollback, state='succeeded', end_ms=NOW + POLL)
    assert poll(state, [ended], NOW + 2 * POLL) == ['deployment:j0', 'deployment:j0:d1']


def test_a_state_polled_more_than_the_horizon_ago_is_a_fresh_start():
    stored = {'ended': {}, 'running': {}, 'polled_ms': NOW - HORIZON - HOUR, 'pending': {}}
    history = [job(1, NOW - 6 * 86400 * 1000, NOW - 6 * 86400 * 1000 + 60000), job(2, NOW - HOUR, NOW - HOUR + 1)]
    state = EventState(stored, NOW)
    assert state.polled_ms is None
    assert poll(state, history, NOW) == []
    recent = {'ended': {}, 'running': {}, 'polled_ms': NOW - HORIZON + HOUR, 'pending': {}}
    assert poll(EventState(recent, NOW), [history[1]], NOW) == ['deployment:j2', 'deployment:j2:d1']


def test_past_max_ended_ids_nothing_is_repeated_and_the_window_moves_on():
    told = []
    stuck = job(0, NOW - 3 * 86400 * 1000, None, state='running')
    history = [stuck] + [job(number, stuck['start_ms'] + number * 20000, stuck['start_ms'] + number * 20000 + 1000)
                         for number in range(1, MAX_ENDED + 6)]
    state = EventState({'running': {'j0': stuck['start_ms']}, 'polled_ms': NOW - POLL}, warn=told.append)
    assert len(poll(state, history, NOW)) == 2 * (MAX_ENDED + 5)
    assert len(state.ended) == MAX_ENDED and state.floor_ms == history[5]['start_ms'] + 1
    assert state.window(NOW + POLL)[0] == stuck['start_ms']  # listed back to the job followed, but not taken
    assert poll(state, history, NOW + POLL) == [] and poll(state, history, NOW + 2 * POLL) == []
    assert 'j0' in state.running and len(told) == 1 and 'no longer read' in told[0]
    # The job followed, started before the floor, ends: its events come, and nothing else, even while another job
    # followed from before the floor keeps the window reaching back (the floor never moves back).
    floor = state.floor_ms
    other = job(99, stuck['start_ms'] + 1000, None, state='running', job_id='jr')
    assert poll(state, [stuck, other] + history[1:], NOW + 3 * POLL) == [] and 'jr' in state.running
    ended = [dict(stuck, state='failed', end_ms=NOW + 4 * POLL), other] + history[1:]
    assert poll(state, ended, NOW + 4 * POLL) == ['deployment:j0', 'deployment:j0:d1']
    for later in (5, 6):
        assert poll(state, ended, NOW + later * POLL) == [] and state.floor_ms == floor
    assert list(state.running) == ['jr']


def test_a_running_job_the_window_does_not_list_is_followed_to_its_end():
    long = job(7, NOW - 30 * 60000, None, state='running')
    state = EventState({'polled_ms': NOW - POLL})
    assert poll(state, [long], NOW) == []
    now = NOW
    for _poll in range(8 * 60):  # two hours: FMC's window read does not list it while it runs
        now += POLL
        assert poll(state, [], now) == []
    assert state.running == {'j7': long['start_ms']} and state.window(now)[0] == long['start_ms']
    assert poll(state, [dict(long, state='failed', end_ms=now)], now + POLL) == ['deployment:j7', 'deployment:j7:d1']


def test_a_running_job_is_forgotten_after_the_horizon():
    state = EventState({'running': {'old': NOW - HORIZON - 1}, 'polled_ms': NOW - POLL})
    poll(state, [], NOW)
    assert state.running == {}


def device(number, state):
    return {'id': 'd%d' % number, 'name': 'ftd-%d' % number, 'container_id': None, 'container_name': None,
            'status': state.upper(), 'state': state, 'can_rollback': None}


def test_a_job_with_no_status_takes_its_devices_states():
    state = EventState({'polled_ms': NOW - POLL})
    failed = job(1, NOW - 60000, NOW, state=None, devices=[device(1, 'succeeded'), device(2, 'failed')])
    succeeded = job(2, NOW - 50000, None, state=None, devices=[device(1, 'succeeded')])
    running = job(3, NOW - 40000, None, state=None, devices=[device(1, 'succeeded'), device(2, 'running')])
    nothing = job(4, NOW - 30000, NOW, state=None, devices=[])
    events = state.take_jobs([failed, succeeded, running, nothing], NOW)
    jobs = dict((event['cdfmc']['id'], event['cdfmc']['state']) for event in events if 'device' not in event['cdfmc'])
    assert jobs == {'deployment:j1': 'failed', 'deployment:j2': 'succeeded', 'deployment:j4': 'unknown'}
    assert list(state.running) == ['j3']


def test_a_job_that_reads_succeeded_with_a_device_that_failed_is_failed():
    # jobStatus DEPLOYED (succeeded) beside a device FAILED or PARTIALLY_SUCCEEDED (failed): the job failed, and
    # the rulebook that rolls back failed deployments sees it. A failed or cancelled job stays as FMC says.
    state = EventState({'polled_ms': NOW - POLL})
    partly = job(1, NOW - 60000, NOW, state='succeeded', devices=[device(1, 'succeeded'), device(2, 'failed')])
    cancelled = job(2, NOW - 50000, NOW, state='unknown', devices=[device(1, 'succeeded'), device(2, 'cancelled')])
    kept = job(3, NOW - 40000, NOW, state='cancelled', devices=[device(1, 'failed')])
    whole = job(4, NOW - 30000, NOW, state='succeeded', devices=[device(1, 'succeeded')])
    events = state.take_jobs([partly, cancelled, kept, whole], NOW)
    jobs = dict((event['cdfmc']['id'], event['cdfmc']['state']) for event in events if 'device' not in event['cdfmc'])
    assert jobs == {'deployment:j1': 'failed', 'deployment:j2': 'cancelled', 'deployment:j3': 'cancelled',
                    'deployment:j4': 'succeeded'}


def test_ids_that_are_not_plain_identifiers_are_left_out_and_told_once_escaped():
    told = []
    state = EventState({'polled_ms': NOW - POLL}, warn=told.append)
    bad_device = {'id': 'd\x1b[2J', 'name': 'x', 'container_id': 'c\nX', 'container_name': 'pair', 'status': 'FAILED',
                  'state': 'failed', 'can_rollback': None}
    good_device = dict(bad_device, id='0050568A-6DDA-0ed3-0000-012884903748')
    jobs = [job(1, NOW - 2000, NOW, job_id='j\x1b]0;owned\x07'), job(2, NOW - 1000, NOW, devices=[bad_device, good_device]),
            job(3, NOW - 500, NOW, job_id='j\n3')]
    events = state.take_jobs(jobs, NOW)
    assert [event['cdfmc']['id'] for event in events] == ['deployment:j2', 'deployment:j2:%s' % good_device['id']]
    assert events[1]['cdfmc']['container'] is None
    assert len(told) == 2 and not any(char in line for line in told for char in '\x1b\x07\n')
    pending = state.take_deployable([{'device': {'id': 'd\r1', 'name': 'x'}, 'version': '5'},
                                     {'device': {'id': 'd2', 'name': 'y'}, 'version': '5\x1b'}], NOW, 0)
    assert pending == [] and len(told) == 3 and '\r' not in told[2] and '\x1b' not in told[2]


def test_a_stored_state_is_checked_field_by_field():
    for stored in ({'pending': ['a']}, {'pending': {'d1': {'version': 5, 'since': 1}}, 'ended': [1], 'running': 'x'},
                   {'polled_ms': True, 'started_ms': '1', 'floor_ms': 1.5, 'pending': {'d1': {'since': 'x'}}}, ['x']):
        state = EventState(stored, NOW)
        assert state.pending == {} and state.ended == {} and state.running == {}
        assert state.polled_ms is None and state.started_ms is None and state.floor_ms is None
    good = {'pending': {'d1': {'version': '5', 'since': NOW, 'put': True}}, 'polled_ms': NOW, 'started_ms': NOW}
    assert EventState(good, NOW).data() == dict(good, ended={}, running={}, floor_ms=None)


def test_pending_events_name_the_policies_as_deployments_do_and_wait_while_the_device_deploys():
    # Cisco's deployable list: every policy, up to date or not, and the policies each refers to; "false" as text.
    item = {'device': {'id': 'd1', 'name': 'ftd-1', 'type': 'Device'}, 'version': '7', 'isDeploying': True,
            'policyStatusList': [
                {'policy': {'name': 'ACP', 'type': 'AccessPolicy'}, 'upToDate': False,
                 'referredPolicyList': [{'policy': {'name': 'IPS', 'type': 'IntrusionPolicy'}, 'upToDate': 'false'}]},
                {'policy': {'name': 'NAT', 'type': 'FTDNatPolicy'}, 'upToDate': True},
                {'policy': {'name': 'ACP', 'type': 'AccessPolicy'}, 'upToDate': False}]}
    state = EventState({'polled_ms': NOW - POLL})
    idle = dict(item, isDeploying='false')
    assert state.take_deployable([idle], NOW - HOUR, 60000) == []
    assert state.take_deployable([item], NOW, 60000) == []  # old enough, but being deployed: its age starts again
    assert state.take_deployable([idle], NOW + POLL, 60000) == []  # still listed just after: not a minute old
    (event,) = state.take_deployable([idle], NOW + 60000, 60000)
    assert event['cdfmc']['policies'] == ['ACP', 'IPS'] and event['cdfmc']['id'] == 'pending:d1:7'
    assert event['cdfmc']['pending_since'] == '2027-01-15T08:00:00Z'  # from when it was last seen deploying
