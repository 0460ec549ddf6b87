# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A rollback's plan, with no I/O: each device's configurations in the job history, the one to return to for each
way of choosing it, what is refused and why, the request, and the reports."""

import time

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import StatusMapper
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._jobs import read_job
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._rollback_plan import (
    BEFORE_JOB,
    BEFORE_NOTE,
    JOB_ID,
    NOTE,
    PREVIOUS,
    REFUSED,
    ROLL_BACK,
    UNCHANGED,
    Selector,
    check_message,
    choose,
    history,
    outcome_message,
    refusal_message,
    request_body,
    rollback_diff,
    rollback_reports,
    unchanged_reports,
    undo_message,
    with_can_rollback,
)

A = {'id': 'a', 'name': 'ftd-a', 'type': 'Device', 'members': []}
HA = {'id': 'ha', 'name': 'ftd-ha', 'type': 'DeviceHAPair', 'members': [
    {'id': 'm1', 'name': 'ftd-ha-1', 'type': 'Device'}, {'id': 'm2', 'name': 'ftd-ha-2', 'type': 'Device'}]}
START = 1767139200  # 2025-12-31T00:00:00Z: a day before the fake clock's wall clock starts


def job(number, job_type='DEPLOYMENT', note='', running=False, **devices):
    """A job history item as FMC writes it (read plainly), ``number`` minutes after START; ``devices``: id ->
    deploymentStatus (a member of ``ha`` names its container)."""
    item = {'id': 'job-%d' % number, 'jobName': 'Deploy_Job_%d' % number, 'jobType': job_type,
            'jobStatus': 'DEPLOYING' if running else 'Deployed', 'deploymentNote': note, 'user': 'admin',
            'startTime': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(START + 60 * number)), 'deviceList': [
                dict({'deviceUUID': device, 'deploymentStatus': status, 'deployedVersion': number},
                     **({'containerUUID': 'ha', 'containerName': 'ftd-ha'} if device.startswith('m') else {}))
                for device, status in devices.items()]}
    if not running:
        item['endTime'] = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(START + 60 * number + 30))
    return item


def allowed(item, can=True, **exceptions):
    """The same job read with rollbackApplicable:true: ids, names and canRollback only."""
    return {'id': item['id'], 'jobName': item['jobName'], 'jobType': item['jobType'], 'type': 'JobHistory',
            'deviceList': [{'deviceUUID': entry['deviceUUID'], 'canRollback': exceptions.get(entry['deviceUUID'], can)}
                           for entry in item['deviceList']]}


def steps_of(device, items, filtered=None):
    mapper = StatusMapper(warn=pytest.fail)
    filtered = [allowed(item) for item in items if item['jobType'] == 'DEPLOYMENT'] if filtered is None else filtered
    return history(device, with_can_rollback([read_job(item, mapper) for item in items],
                                             [read_job(item, mapper) for item in filtered]))


def chosen(device, items, selector=Selector(PREVIOUS, None), filtered=None):
    choice = choose(device, steps_of(device, items, filtered), selector)
    return choice.kind, choice.target.job['id'] if choice.target else None, choice.reason


def test_the_two_reads_join_by_job_and_device_and_the_plain_read_alone_has_no_can_rollback():
    items = [job(1, a='SUCCEEDED'), job(2, a='SUCCEEDED')]
    joined = steps_of(A, items, [allowed(items[1], a=False)])
    assert [(step.job['id'], step.can_rollback) for step in joined] == [('job-2', False), ('job-1', None)]
    assert [step.state for step in joined] == ['succeeded', 'succeeded']


@pytest.mark.parametrize('selector, expected', [
    (Selector(PREVIOUS, None), 'job-3'),  # job 6 is current; 5 and 4 did not succeed
    (Selector(JOB_ID, 'job-1'), 'job-1'),
    (Selector(NOTE, 'change 1'), 'job-1'),
    (Selector(BEFORE_NOTE, 'change 3'), 'job-1'),  # job 2 failed on it: the configuration before 3 is job 1's
    (Selector(BEFORE_NOTE, 'change 5'), 'job-3'),  # partially succeeded: it changed the device
])
def test_each_way_of_choosing_finds_the_configuration_a_firewall_engineer_means(selector, expected):
    items = [job(1, note='change 1', a='SUCCEEDED'), job(2, note='change 2', a='FAILED'),
             job(3, note='change 3', a='SUCCEEDED'), job(4, note='change 4', a='FAILED'),
             job(5, note='change 5', a='PARTIALLY_SUCCEEDED'), job(6, note='change 6', a='SUCCEEDED')]
    assert chosen(A, items, selector) == (ROLL_BACK, expected, None)


def test_the_current_configuration_is_the_newest_job_that_succeeded_a_failed_one_changes_nothing():
    items = [job(1, a='SUCCEEDED'), job(2, a='SUCCEEDED'), job(3, a='FAILED')]
    choice = choose(A, steps_of(A, items), Selector(PREVIOUS, None))
    assert (choice.current.job['id'], choice.target.job['id']) == ('job-2', 'job-1')


@pytest.mark.parametrize('items, selector, reason', [
    ([job(1, a='FAILED')], Selector(PREVIOUS, None), "no job in FMC's job history succeeded on it"),
    ([job(1, a='SUCCEEDED')], Selector(PREVIOUS, None), 'no configuration before its current one'),
    ([job(1, a='SUCCEEDED'), job(2, a='SUCCEEDED')], Selector(JOB_ID, 'job-2'), 'is its current configuration'),
    ([job(1, a='SUCCEEDED'), job(2, a='FAILED'), job(3, a='SUCCEEDED')], Selector(JOB_ID, 'job-2'),
     'did not succeed in job Deploy_Job_2 (failed)'),
    ([job(1, a='SUCCEEDED'), job(2, a='SUCCEEDED')], Selector(JOB_ID, 'job-9'), 'took no part in job job-9'),
    ([job(1, a='SUCCEEDED'), job(2, a='SUCCEEDED')], Selector(NOTE, 'nope'),
     "no deployment job with the note 'nope' deployed to it"),
    ([job(1, a='SUCCEEDED'), job(2, note='x', a='FAILED'), job(3, a='SUCCEEDED')], Selector(BEFORE_NOTE, 'x'),
     "no job with the note 'x' succeeded on it"),
    ([job(1, note='x', a='SUCCEEDED'), job(2, a='SUCCEEDED')], Selector(BEFORE_NOTE, 'x'),
     'no configuration before job Deploy_Job_1'),
    ([job(1, a='SUCCEEDED'), job(2, a='SUCCEEDED'), job(3, a='DEPLOYING', running=True)], Selector(PREVIOUS, None),
     'it is deploying (job Deploy_Job_3)'),
    ([job(1, a='SUCCEEDED'), job(2, 'ROLLBACK', a='SUCCEEDED'), job(3, a='SUCCEEDED')], Selector(PREVIOUS, None),
     'came from job Deploy_Job_2, a job of type ROLLBACK'),
])
def test_a_device_with_nothing_to_return_to_is_refused_saying_why(items, selector, reason):
    kind, _target, why = chosen(A, items, selector)
    assert kind == REFUSED and reason in why


def test_fmc_s_can_rollback_and_its_last_ten_decide_what_may_be_returned_to():
    items = [job(number, a='SUCCEEDED') for number in range(1, 13)]
    assert chosen(A, items, Selector(JOB_ID, 'job-3'))[:2] == (ROLL_BACK, 'job-3')
    assert 'beyond the last 10 configurations' in chosen(A, items, Selector(JOB_ID, 'job-2'))[2]
    filtered = [allowed(item, a=item['id'] != 'job-11') for item in items]
    assert 'canRollback: false' in chosen(A, items, filtered=filtered)[2]
    assert 'canRollback: not given' in chosen(A, items, filtered=[])[2]


def test_a_device_left_so_by_a_rollback_is_unchanged_as_fmc_allows_another_only_after_a_deployment():
    items = [job(1, a='SUCCEEDED'), job(2, a='SUCCEEDED'), job(3, 'ROLLBACK', a='SUCCEEDED'), job(4, a='FAILED')]
    for selector in (Selector(PREVIOUS, None), Selector(JOB_ID, 'job-1')):
        choice = choose(A, steps_of(A, items), selector)
        assert (choice.kind, choice.current.job['id']) == (UNCHANGED, 'job-3')
    (report,) = unchanged_reports([choice])
    assert report['job']['id'] == 'job-3' and 'only after a deployment' in report['message']
    # After a new deployment, the device can be rolled back again (to the configuration before it).
    kind, target, reason = chosen(A, items + [job(5, a='SUCCEEDED')])
    assert (kind, target) == (REFUSED, 'job-3') and 'came from job Deploy_Job_3, a job of type ROLLBACK' in reason
    assert chosen(A, items + [job(5, a='SUCCEEDED'), job(6, a='SUCCEEDED')])[:2] == (ROLL_BACK, 'job-5')


def test_a_pair_is_rolled_back_by_the_members_its_jobs_list_and_only_where_each_can_roll_back():
    items = [job(1, m1='SUCCEEDED', m2='SUCCEEDED'), job(2, m1='SUCCEEDED', m2='SUCCEEDED'), job(3, a='SUCCEEDED')]
    choice = choose(HA, steps_of(HA, items), Selector(PREVIOUS, None))
    assert (choice.kind, choice.target.ids) == (ROLL_BACK, ['m1', 'm2'])
    assert request_body([choice]) == {'type': 'RollbackRequest', 'rollbackDeviceList': [
        {'deploymentJobId': 'job-1', 'deviceList': ['m1', 'm2']}]}
    filtered = [allowed(item, m2=False) for item in items]
    assert 'canRollback: false' in chosen(HA, items, filtered=filtered)[2]
    # One member failed: the pair did not succeed in that job.
    items[1] = job(2, m1='SUCCEEDED', m2='FAILED')
    assert chosen(HA, items) == (REFUSED, None, "it has no configuration before its current one in FMC's job history")


def test_devices_returning_to_one_job_share_one_entry_of_the_request():
    items = [job(1, a='SUCCEEDED', m1='SUCCEEDED', m2='SUCCEEDED'), job(2, a='SUCCEEDED', m1='SUCCEEDED', m2='SUCCEEDED'),
             job(3, b='SUCCEEDED'), job(4, b='SUCCEEDED')]
    b = dict(A, id='b', name='ftd-b')
    choices = [choose(device, steps_of(device, items), Selector(PREVIOUS, None)) for device in (A, b, HA)]
    assert request_body(choices)['rollbackDeviceList'] == [
        {'deploymentJobId': 'job-1', 'deviceList': ['a', 'm1', 'm2']}, {'deploymentJobId': 'job-3', 'deviceList': ['b']}]


def test_reports_messages_and_the_diff_name_the_job_returned_to_and_escape_server_text():
    items = [job(1, note='evil\x1b[31m\nFAILED: forged', a='SUCCEEDED'), job(2, a='SUCCEEDED')]
    choice = choose(A, steps_of(A, items), Selector(PREVIOUS, None))
    assert '\x1b' not in check_message([choice]) and '\n' not in check_message([choice])
    assert check_message([choice]).startswith('check mode: would roll back ftd-a to job Deploy_Job_1 (')
    (report,) = rollback_reports([choice])
    assert report['job'] == {'id': 'job-1', 'name': 'Deploy_Job_1', 'note': 'evil\x1b[31m\nFAILED: forged',
                             'start_time': '2025-12-31T00:01:00Z'}
    assert report['state'] == 'pending'
    task = {'terminal': True, 'state': 'failed', 'message': 'whole', 'sub_tasks': [
        {'target_id': 'a', 'state': 'failed', 'status': 'FAILED', 'message': 'no route\x07'}]}
    (report,) = rollback_reports([choice], task)
    assert (report['state'], report['message']) == ('failed', 'no route\x07')
    message = outcome_message([report], [])
    assert 'did not succeed' in message and '\x07' not in message
    (report,) = rollback_reports([choice], job_states={'a': ('succeeded', 'job Deploy_Job_3: Deployed')})
    assert 'out of date' in outcome_message([report], []) and 'cdfmc_deploy' in outcome_message([report], [])
    diff = rollback_diff(choice)
    assert 'Deploy_Job_2' in diff['before'] and 'Deploy_Job_1' in diff['after'] and '\x1b' not in diff['after']
    refused = choose(A, steps_of(A, items[:1]), Selector(PREVIOUS, None))
    assert refusal_message([refused]).startswith('nothing was rolled back: ftd-a: ')


def test_undoing_a_deployment_returns_to_the_configuration_before_its_job():
    items = [job(1, a='SUCCEEDED'), job(2, a='PARTIALLY_SUCCEEDED')]
    assert chosen(A, items, Selector(BEFORE_JOB, 'job-2'))[:2] == (ROLL_BACK, 'job-1')
    found = {'a': {'job': {'id': 'job-1', 'name': 'Deploy_Job_1'}, 'state': 'succeeded', 'message': None},
             'b': {'job': None, 'state': 'failed', 'message': 'not rolled back: it is deploying'}}
    b = dict(A, id='b', name='ftd-b')
    message = undo_message([A, b, dict(A, id='c', name='ftd-c')], found)
    assert message == ('(on_failure: rollback) rolled back ftd-a to the configuration before this deployment (job '
                       'Deploy_Job_1); could not roll back ftd-b: not rolled back: it is deploying')
    assert undo_message([A], {}) == '(on_failure: rollback) no device changed in it, so nothing was rolled back'


def test_hostile_job_history_orders_zone_less_times_and_refuses_what_cannot_be_named():
    zone_less = [dict(job(number, a='SUCCEEDED'), startTime=job(number)['startTime'].rstrip('Z'))
                 for number in (3, 1, 2)]
    assert chosen(A, zone_less)[:2] == (ROLL_BACK, 'job-2')  # read as the same zone, in order
    no_start = [dict(job(2, a='SUCCEEDED'), startTime=None), dict(job(1, a='SUCCEEDED'), startTime='garbage')]
    assert chosen(A, no_start)[:2] == (ROLL_BACK, 'job-1')  # FMC's own order (newest first) when times say nothing
    no_id = [dict(job(1, a='SUCCEEDED'), id=None), job(2, a='SUCCEEDED')]
    assert "gives no id for job Deploy_Job_1" in chosen(A, no_id, filtered=[allowed(item) for item in no_id])[2]
    odd = [job(1, 'UNKNOWN', a='SUCCEEDED'), job(2, a='SUCCEEDED'), dict(job(3, a='SUCCEEDED'), deviceList='junk'),
           'junk', dict(job(4, a='SUCCEEDED'), jobType=None)]
    odd = [item for item in odd if isinstance(item, dict)]
    filtered = [allowed(item) for item in odd if isinstance(item['deviceList'], list)]
    kind, _target, reason = chosen(A, odd, Selector(JOB_ID, 'job-1'), filtered)
    assert kind == REFUSED and 'job Deploy_Job_1 is a job of type UNKNOWN, not a deployment' in reason
    assert chosen(A, odd, filtered=filtered)[:2] == (ROLL_BACK, 'job-2')  # the junk list of job 3 is no part
    typeless = [job(1, a='SUCCEEDED'), dict(job(2, a='SUCCEEDED'), jobType=None), job(3, a='SUCCEEDED')]
    kind, _target, reason = chosen(A, typeless, filtered=[allowed(item) for item in typeless])
    assert kind == REFUSED and 'came from job Deploy_Job_2, a job of no type, which FMC cannot return to' in reason


def test_a_pair_whose_members_ended_differently_changed_and_can_be_undone():
    items = [job(1, m1='SUCCEEDED', m2='SUCCEEDED'), job(2, note='x', m1='SUCCEEDED', m2='FAILED')]
    assert chosen(HA, items, Selector(BEFORE_NOTE, 'x'))[:2] == (ROLL_BACK, 'job-1')


def test_a_rollback_still_running_at_the_timeout_says_so_and_where_to_look():
    items = [job(1, a='SUCCEEDED'), job(2, a='SUCCEEDED')]
    choice = choose(A, steps_of(A, items), Selector(PREVIOUS, None))
    (report,) = rollback_reports([choice], job_states={'a': ('running', 'job Deploy_Job_3: DEPLOYING')})
    assert outcome_message([report], [], timed_out=True) == (
        "the rollback of ftd-a had not ended when the timeout came: look at FMC's deployment job history")
    assert 'did not succeed' in outcome_message([report], [])


def test_before_job_id_undoes_what_a_failed_deployment_changed_and_leaves_what_it_did_not():
    items = [job(1, a='SUCCEEDED', b='SUCCEEDED'), job(2, a='SUCCEEDED', b='SUCCEEDED'),
             job(3, a='SUCCEEDED', b='FAILED')]
    b = dict(A, id='b', name='ftd-b')
    changed, untouched = [choose(device, steps_of(device, items), Selector(BEFORE_JOB, 'job-3')) for device in (A, b)]
    assert (changed.kind, changed.target.job['id']) == (ROLL_BACK, 'job-2')
    assert (untouched.kind, untouched.current.job['id']) == (UNCHANGED, 'job-2')
    (report,) = unchanged_reports([untouched])
    assert report['job']['id'] == 'job-2' and report['message'] == (
        'job Deploy_Job_3 did not change it (failed there): there is nothing to undo')
    assert outcome_message([], [untouched]) == ('ftd-b left as it is: job Deploy_Job_3 did not change it (failed '
                                                'there): there is nothing to undo')
    # A device that never succeeded anywhere, and failed in that job, is left as it is too (with no job).
    (report,) = unchanged_reports([choose(b, steps_of(b, items[2:]), Selector(BEFORE_JOB, 'job-3'))])
    assert report['job'] is None and 'nothing to undo' in report['message']


def test_before_job_id_never_undoes_a_rollback_so_that_undoing_failed_jobs_cannot_loop():
    items = [job(1, a='SUCCEEDED'), job(2, a='SUCCEEDED'), job(3, 'ROLLBACK', a='FAILED')]
    kind, _target, reason = chosen(A, items, Selector(BEFORE_JOB, 'job-3'))
    assert kind == REFUSED and reason == ('job Deploy_Job_3 is not a deployment: only what a deployment changed can '
                                          'be undone')


def test_before_job_id_refuses_a_rollback_job_that_succeeded_rather_than_calling_the_device_unchanged():
    # Its configuration is that rollback: the job's type decides first, as the module's documentation says.
    items = [job(1, a='SUCCEEDED'), job(2, a='SUCCEEDED'), job(3, 'ROLLBACK', a='SUCCEEDED')]
    kind, _target, reason = chosen(A, items, Selector(BEFORE_JOB, 'job-3'))
    assert kind == REFUSED and reason == ('job Deploy_Job_3 is not a deployment: only what a deployment changed can '
                                          'be undone')
    # Another selector still finds the device left so by that rollback: unchanged, as FMC allows no other yet.
    assert chosen(A, items, Selector(PREVIOUS, None))[0] == UNCHANGED


def test_before_job_id_after_a_rollback_refuses_rather_than_calling_a_changed_device_unchanged():
    # Job 3 rolled a back to job 1; job 4 then partially succeeded there (a change). Before job 4 is what the
    # rollback left, which FMC cannot return to: refused, not "unchanged".
    items = [job(1, a='SUCCEEDED'), job(2, a='SUCCEEDED'), job(3, 'ROLLBACK', a='SUCCEEDED'),
             job(4, a='PARTIALLY_SUCCEEDED')]
    kind, _target, reason = chosen(A, items, Selector(BEFORE_JOB, 'job-4'))
    assert kind == REFUSED and reason == ('its configuration before that came from job Deploy_Job_3, a job of type '
                                          'ROLLBACK, which FMC cannot return to')
    # Job 4 undone already (a rollback since, as a repeated event finds it): left as it is.
    undone = items + [job(5, 'ROLLBACK', a='SUCCEEDED')]
    assert chosen(A, undone, Selector(BEFORE_JOB, 'job-4'))[0] == UNCHANGED


def test_before_job_id_leaves_a_device_deployed_again_since_so_that_a_late_event_undoes_no_later_deployment():
    # Job 3 changed a, c and d; since then job 4 succeeded on a, failed on c (no change) and partially succeeded on
    # d (a change). A late request to undo job 3 rolls back c only.
    items = [job(1, a='SUCCEEDED', c='SUCCEEDED', d='SUCCEEDED'), job(2, a='SUCCEEDED', c='SUCCEEDED', d='SUCCEEDED'),
             job(3, note='change 3', a='SUCCEEDED', c='SUCCEEDED', d='SUCCEEDED'),
             job(4, note='change 4', a='SUCCEEDED', c='FAILED', d='PARTIALLY_SUCCEEDED')]
    a, c, d = (dict(A, id=name, name='ftd-%s' % name) for name in 'acd')
    kept, undone, partial = [choose(device, steps_of(device, items), Selector(BEFORE_JOB, 'job-3'))
                             for device in (a, c, d)]
    assert (undone.kind, undone.target.job['id']) == (ROLL_BACK, 'job-2')
    assert (kept.kind, kept.target, kept.current.job['id']) == (UNCHANGED, None, 'job-4')
    assert kept.reason == ("deployed again since job Deploy_Job_3 ('change 3') (job Deploy_Job_4 ('change 4')): not "
                           "rolled back, so that the later deployment is kept")
    assert partial.kind == UNCHANGED and 'since job Deploy_Job_3' in partial.reason
    (report,) = unchanged_reports([kept])
    assert report['job']['id'] == 'job-4' and report['message'] == kept.reason
    assert outcome_message([], [kept]).startswith('ftd-a left as it is: deployed again since job Deploy_Job_3')
    assert request_body([kept, undone, partial])['rollbackDeviceList'] == [{'deploymentJobId': 'job-2',
                                                                           'deviceList': ['c']}]
    # Rolling back past the later deployment stays possible, named plainly: job_id, or before_note.
    assert chosen(a, items, Selector(JOB_ID, 'job-2'))[:2] == (ROLL_BACK, 'job-2')
    assert chosen(a, items, Selector(BEFORE_NOTE, 'change 3'))[:2] == (ROLL_BACK, 'job-2')
