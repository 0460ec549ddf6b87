# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""cdfmc_rollback's order of things and cdfmc_deploy's on_failure, against FMC lists given here, on the fake
clock: its options, what is sent (nothing when refused or in check mode), what FMC's answer to the request means,
following a rollback through the job history when the answer names no task, and undoing a failed deployment."""

import tempfile
import time

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import (
    CdfmcError,
    CdfmcOptionError,
    CdfmcRequestError,
)
from ansible_collections.cisco.cdfmc.plugins.module_utils._options import OptionAdapter
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._action import ActionRun
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._deploy import DeploySettings, deploy_argument_spec
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._rollback import (
    Rollback,
    RollbackSettings,
    rollback,
    rollback_argument_spec,
    undo_deployment,
)
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._rollback_plan import BEFORE_JOB, JOB_ID, PREVIOUS, Selector

from test_rollback_plan import A, HA, allowed, job


class _Display:
    def __init__(self):
        self.lines = []

    def display(self, text):
        self.lines.append(text)

    vvv = vvvv = display


class FakeFmc:
    """A client whose device records and job history are given (``jobs``: items as FMC writes them, or a function
    of the number of reads giving them), and whose POSTs answer ``answer`` (a body, or an error to raise)."""

    class settings:
        server = 'https://fmc.example.com'
        request_timeout = 10

    def __init__(self, jobs, answer=None, records=None):
        self.jobs, self.answer, self.sent, self.reads = jobs, answer, [], 0
        self.records = records if records is not None else [
            {'id': 'a', 'name': 'ftd-a', 'type': 'Device'}, {'id': 'm1', 'name': 'ftd-ha-1', 'type': 'Device'},
            {'id': 'm2', 'name': 'ftd-ha-2', 'type': 'Device'}]
        self.request_count = 0

    @staticmethod
    def config_path(path):
        return '/api/fmc_config/v1/domain/d%s' % path

    def resolve_domain(self, deadline):
        pass

    def close(self):
        pass

    def all_items(self, path, deadline, params=None):
        self.request_count += 1
        if path.endswith('/devicerecords'):
            return self.records
        if path.endswith('/ftddevicehapairs'):
            return [{'id': 'ha', 'name': 'ftd-ha', 'primary': {'id': 'm1'}, 'secondary': {'id': 'm2'}}]
        if path.endswith('/jobhistories'):
            self.reads += 1
            jobs = self.jobs(self.reads) if callable(self.jobs) else self.jobs
            if isinstance(jobs, Exception):
                raise jobs
            wanted = params['filter'].split(';')[0].split(':', 1)[1]
            jobs = [item for item in jobs if any(e['deviceUUID'] == wanted for e in item['deviceList'])]
            if 'rollbackApplicable:true' in params['filter']:
                return [allowed(item) for item in jobs if item['jobType'] == 'DEPLOYMENT']
            return jobs
        return []

    def request(self, method, path, json_body=None, deadline=None):
        self.request_count += 1
        self.sent.append((method, path, json_body))
        if isinstance(self.answer, Exception):
            raise self.answer

        class Response:
            body = self.answer
        return Response()


def iso(seconds):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(seconds))


def run_of(clock, fmc, check_mode=False, diff_mode=False, **options):
    arguments = dict({'base_url': 'https://fmc.example.com', 'api_token': 't', 'devices': ['ftd-a'],
                      'poll_interval': 1, 'timeout': 60}, **options)
    run = ActionRun(OptionAdapter.from_arguments(arguments, rollback_argument_spec()), clock.deadline(),
                    _Display(), check_mode, diff_mode)
    run._client = fmc
    return run


@pytest.fixture(autouse=True)
def own_tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, 'gettempdir', lambda: str(tmp_path))


@pytest.mark.parametrize('options, message', [
    ({'devices': 'all'}, '"all" is not accepted'),
    ({'job_id': 'j', 'note': 'n'}, 'job_id and note are mutually exclusive'),
    ({'note': 'n', 'before_note': 'b'}, 'note and before_note are mutually exclusive'),
    ({'job_id': 'a b'}, 'job_id must be the id of a job'),
    ({'before_job_id': 'j', 'note': 'n'}, 'note and before_job_id are mutually exclusive'),
    ({'before_job_id': 'a\nb'}, 'before_job_id must be the id of a job'),
    ({'timeout': 0}, 'timeout must be a positive number'),
])
def test_options_that_cannot_be_met_are_refused_before_any_request(clock, options, message):
    fmc = FakeFmc([])
    with pytest.raises(CdfmcOptionError, match=message):
        RollbackSettings.from_options(run_of(clock, fmc, **options).options)
    assert fmc.request_count == 0


def test_an_empty_selector_from_awx_counts_as_not_given(clock):
    settings = RollbackSettings.from_options(run_of(clock, FakeFmc([]), job_id='', note='').options)
    assert settings.selector == Selector(PREVIOUS, None)
    assert RollbackSettings.from_options(run_of(clock, FakeFmc([]), job_id=' j-1 ').options).selector == \
        Selector(JOB_ID, 'j-1')
    assert RollbackSettings.from_options(run_of(clock, FakeFmc([]), before_job_id=' j-2 ').options).selector == \
        Selector(BEFORE_JOB, 'j-2')


def test_deploy_refuses_a_rollback_on_failure_that_contradicts_its_other_options(clock):
    for options, message in (({'interrupt_traffic': False}, 'contradictory'), ({'wait': False}, 'needs wait: true')):
        arguments = dict({'base_url': 'https://fmc.example.com', 'api_token': 't', 'devices': 'all',
                          'on_failure': 'rollback'}, **options)
        with pytest.raises(CdfmcOptionError, match=message):
            DeploySettings.from_options(OptionAdapter.from_arguments(arguments, deploy_argument_spec()))


def test_a_refused_device_fails_the_task_with_its_reason_and_nothing_is_sent(clock):
    fmc = FakeFmc([job(1, a='SUCCEEDED'), job(2, m1='SUCCEEDED', m2='SUCCEEDED'),
                   job(3, m1='SUCCEEDED', m2='SUCCEEDED')], answer={})
    result = rollback(run_of(clock, fmc, devices=['ftd-a', 'ftd-ha']))
    assert result['failed'] and fmc.sent == []
    assert result['msg'] == "nothing was rolled back: ftd-a: it has no configuration before its current one in " \
                            "FMC's job history"
    assert result['refused'] == [{'name': 'ftd-a', 'id': 'a', 'type': 'Device',
                                  'reason': result['msg'][len('nothing was rolled back: ftd-a: '):]}]


def test_check_mode_names_the_target_of_each_device_and_sends_nothing(clock):
    fmc = FakeFmc([job(1, a='SUCCEEDED', m1='SUCCEEDED', m2='SUCCEEDED'), job(2, a='SUCCEEDED', m1='SUCCEEDED',
                                                                              m2='SUCCEEDED')], answer={})
    result = rollback(run_of(clock, fmc, check_mode=True, diff_mode=True, devices=['ftd-a', 'ftd-ha-1']))
    assert fmc.sent == [] and result['changed'] and not result.get('failed')
    assert [(r['name'], r['job']['id'], r['state']) for r in result['rolled_back']] == [
        ('ftd-a', 'job-1', 'pending'), ('ftd-ha', 'job-1', 'pending')]
    assert result['msg'] == 'check mode: would roll back ftd-a to job Deploy_Job_1; ftd-ha to job Deploy_Job_1'
    assert [d['before_header'] for d in result['diff']] == [
        'ftd-a (current: job Deploy_Job_2)', 'ftd-ha (current: job Deploy_Job_2)']


def test_every_device_left_so_by_a_rollback_is_ok_and_nothing_is_sent(clock):
    fmc = FakeFmc([job(1, a='SUCCEEDED'), job(2, a='SUCCEEDED'), job(3, 'ROLLBACK', a='SUCCEEDED')], answer={})
    result = rollback(run_of(clock, fmc))
    assert fmc.sent == [] and not result['changed'] and not result.get('failed')
    assert [u['job']['id'] for u in result['unchanged']] == ['job-3']
    assert 'FMC allows another only after a deployment' in result['msg']


def _after_post(items_before, items_after):
    """Job history as FMC gives it: ``items_before`` until the request was sent, ``items_after`` since."""
    state = {'sent': False}

    def jobs(_reads):
        return items_after(state) if state['sent'] else items_before
    return state, jobs


def test_an_answer_without_a_task_is_followed_through_the_new_rollback_job(clock):
    before = [job(1, a='SUCCEEDED'), job(2, 'ROLLBACK', a='SUCCEEDED'),  # an older rollback must not be taken
              job(3, a='SUCCEEDED'), job(4, a='SUCCEEDED')]
    polls = []

    def after(_state):
        polls.append(1)
        running = len(polls) < 3
        rollback_job = dict(job(5, 'ROLLBACK', running=running, a='DEPLOYING' if running else 'SUCCEEDED'),
                            startTime=iso(clock.now()))
        return before + [rollback_job]
    state, jobs = _after_post(before, after)
    fmc = FakeFmc(jobs, answer={'type': 'RollbackRequest', 'rollbackDeviceList': []})
    original = fmc.request

    def request(*args, **kwargs):
        state['sent'] = True
        return original(*args, **kwargs)
    fmc.request = request
    result = rollback(run_of(clock, fmc))
    assert len(fmc.sent) == 1 and fmc.sent[0][2]['rollbackDeviceList'] == [
        {'deploymentJobId': 'job-3', 'deviceList': ['a']}]
    assert result['task'] is None and result['changed'] and not result['failed']
    assert [(r['state'], r['message']) for r in result['rolled_back']] == [('succeeded', 'job Deploy_Job_5: Deployed')]
    assert clock.sleeps == [1.0, 1.0] and 'out of date' in result['msg']  # read again each poll_interval


def test_a_rollback_job_never_seen_ending_is_unknown_at_the_timeout(clock):
    fmc = FakeFmc([job(1, a='SUCCEEDED'), job(2, a='SUCCEEDED')], answer={})
    result = rollback(run_of(clock, fmc, timeout=20))
    assert result['failed'] and [r['state'] for r in result['rolled_back']] == ['unknown']
    assert "the rollback job was not seen in FMC's job history when the timeout came" in result['rolled_back'][0]['message']
    assert 'had not ended when the timeout came' in result['msg']


@pytest.mark.parametrize('error, message', [
    (CdfmcRequestError('POST x: HTTP 404', status=404), 'has no configuration rollback (it needs FMC 6.7 or later'),
    (CdfmcRequestError('POST x: HTTP 400: Rollback is allowed only after a new deployment', status=400),
     'FMC refused the rollback: POST x: HTTP 400'),
    (CdfmcRequestError('POST x: no answer within 10 s'), 'a rollback may have started: look at its deployment'),
])
def test_what_fmc_s_answer_to_the_request_means(clock, error, message):
    fmc = FakeFmc([job(1, a='SUCCEEDED'), job(2, a='SUCCEEDED')], answer=error)
    with pytest.raises(CdfmcError) as raised:
        rollback(run_of(clock, fmc))
    assert message in str(raised.value) and len(fmc.sent) == 1


def test_an_fmc_without_job_history_has_no_rollback(clock):
    fmc = FakeFmc(CdfmcRequestError('GET jobhistories: HTTP 404 not found', status=404))
    with pytest.raises(CdfmcError, match='fmc.example.com has no configuration rollback'):
        rollback(run_of(clock, fmc))
    assert fmc.sent == []


def _undo_worker(clock, fmc):
    run = run_of(clock, fmc)
    return Rollback(run, RollbackSettings.from_options(run.options).wait_settings, fmc, clock.deadline(30))


def test_undoing_a_failed_deployment_rolls_back_what_changed_and_names_what_could_not_be(clock):
    since_ms = int(clock.now() * 1000)
    this = dict(job(9, a='SUCCEEDED', b='FAILED', c='PARTIALLY_SUCCEEDED', m1='SUCCEEDED', m2='SUCCEEDED',
                    d='SUCCEEDED'), startTime=iso(clock.now()))
    items = [job(1, a='SUCCEEDED', b='SUCCEEDED', m1='SUCCEEDED', m2='SUCCEEDED'), job(2, c='SUCCEEDED'), this]
    c, d = dict(A, id='c', name='ftd-c'), dict(A, id='d', name='ftd-d')
    fmc = FakeFmc(items, answer={'metadata': {'task': {'id': 'bad id with spaces'}}})
    # The task id cannot be used: followed through job history, where no rollback job appears (the timeout).
    found, message = undo_deployment(_undo_worker(clock, fmc), [A, c, HA, d], (since_ms, {'job-1', 'job-2'}), 5)
    assert sorted(found) == ['a', 'c', 'd', 'ha']  # ftd-b failed: left as FMC left it, not named
    # ftd-c partially succeeded: it changed, and returns to job 2; ftd-d has nothing before this deployment.
    assert fmc.sent[0][2]['rollbackDeviceList'] == [{'deploymentJobId': 'job-1', 'deviceList': ['a', 'm1', 'm2']},
                                                    {'deploymentJobId': 'job-2', 'deviceList': ['c']}]
    assert [found[key]['state'] for key in ('a', 'c', 'ha', 'd')] == ['unknown', 'unknown', 'unknown', 'failed']
    assert found['d']['message'].startswith('not rolled back: it has no configuration before job Deploy_Job_9')
    assert message.startswith('(on_failure: rollback) could not roll back ftd-a: the rollback had not ended when the '
                              'timeout came and may still end')


def test_undoing_waits_for_this_deployment_to_be_listed_and_never_takes_an_earlier_one(clock):
    since_ms = int(clock.now() * 1000)
    earlier = dict(job(8, a='SUCCEEDED'), startTime=iso(clock.now() - 60))  # a retry a minute before: known
    items = [job(1, a='SUCCEEDED'), earlier]
    fmc = FakeFmc(items, answer={})
    found, message = undo_deployment(_undo_worker(clock, fmc), [A], (since_ms, {'job-1', 'job-8'}), 3)
    assert fmc.sent == [] and found['a']['state'] == 'failed'
    assert "FMC's job history did not show this deployment when the time to wait for it ran out" in message
    # Listed, but still running after the patience: named so, nothing sent.
    fmc = FakeFmc(items + [dict(job(9, running=True, a='DEPLOYING'), startTime=iso(clock.now()))], answer={})
    found, _message = undo_deployment(_undo_worker(clock, fmc), [A], (since_ms, {'job-1', 'job-8'}), 3)
    assert fmc.sent == [] and 'still showed this deployment running' in found['a']['message']
    # A job older than the window read before the request is not this deployment either.
    old = dict(job(7, a='SUCCEEDED'), startTime=iso(clock.now() - 7 * 3600))
    found, _message = undo_deployment(_undo_worker(clock, FakeFmc([job(1, a='SUCCEEDED'), old])), [A],
                                      (since_ms, {'job-1'}), 1)
    assert 'did not show this deployment' in found['a']['message']


def test_a_job_history_that_fails_while_undoing_never_loses_the_deployment_s_result(clock):
    fmc = FakeFmc(CdfmcRequestError('GET jobhistories: no answer within 10 s'))
    found, message = undo_deployment(_undo_worker(clock, fmc), [A, HA], (int(clock.now() * 1000), set()), 3)
    assert [found[key]['state'] for key in ('a', 'ha')] == ['failed', 'failed']
    assert found['a']['message'] == 'not rolled back: GET jobhistories: no answer within 10 s'
    assert message.startswith('(on_failure: rollback) could not roll back ftd-a: not rolled back: GET jobhistories')


def test_each_device_s_own_rollback_job_is_followed_when_fmc_makes_one_per_entry(clock):
    before = [job(1, a='SUCCEEDED', b='SUCCEEDED'), job(2, a='SUCCEEDED', b='SUCCEEDED')]
    state = {'sent': False}

    def jobs(_reads):
        if not state['sent']:
            return before
        return before + [dict(job(3, 'ROLLBACK', a='SUCCEEDED'), startTime=iso(clock.now())),
                         dict(job(4, 'ROLLBACK', b='FAILED'), startTime=iso(clock.now() - 3600))]  # FMC's clock behind
    fmc = FakeFmc(jobs, answer={}, records=FakeFmc([]).records + [{'id': 'b', 'name': 'ftd-b', 'type': 'Device'}])
    original = fmc.request

    def request(*args, **kwargs):
        state['sent'] = True
        return original(*args, **kwargs)
    fmc.request = request
    result = rollback(run_of(clock, fmc, devices=['ftd-a', 'ftd-b']))
    assert [(r['name'], r['state'], r['message']) for r in result['rolled_back']] == [
        ('ftd-a', 'succeeded', 'job Deploy_Job_3: Deployed'), ('ftd-b', 'failed', 'job Deploy_Job_4: Deployed')]
    assert result['failed'] and clock.sleeps == []  # both seen at the first read: no waiting out the timeout


def test_a_pair_is_changed_when_one_member_is_and_a_zone_less_old_job_is_never_this_deployment(clock):
    from ansible_collections.cisco.cdfmc.plugins.plugin_utils._deploy_plan import Plan, changed_devices
    plan = Plan([HA, A], {}, [], force=True)
    task = {'state': 'failed', 'status': 'FAILED', 'sub_tasks': [
        {'target_id': 'm1', 'state': 'succeeded', 'status': 'SUCCEEDED'},
        {'target_id': 'm2', 'state': 'failed', 'status': 'FAILED'},
        {'target_id': 'a', 'state': 'failed', 'status': 'FAILED'}]}
    assert changed_devices(plan, task) == [HA]
    since_ms = int(clock.now() * 1000)
    # A time without a zone may be 14 hours off: a day-old job is not this deployment whatever its zone.
    old = dict(job(7, a='SUCCEEDED'), startTime=iso(clock.now() - 24 * 3600).rstrip('Z'))
    found, _message = undo_deployment(_undo_worker(clock, FakeFmc([job(1, a='SUCCEEDED'), old])), [A],
                                      (since_ms, {'job-1'}), 1)
    assert 'did not show this deployment' in found['a']['message']
    recent = dict(job(9, a='SUCCEEDED'), startTime=iso(clock.now()).rstrip('Z'))
    fmc = FakeFmc([job(1, a='SUCCEEDED'), old, recent], answer={})
    undo_deployment(_undo_worker(clock, fmc), [A], (since_ms, {'job-1', 'job-7'}), 1)
    assert fmc.sent[0][2]['rollbackDeviceList'] == [{'deploymentJobId': 'job-1', 'deviceList': ['a']}]
