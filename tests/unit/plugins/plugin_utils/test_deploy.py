# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""cdfmc_deploy's order of things, against FMC lists given here, on the fake clock: the lock of this host's forks,
the job history, waiting for other deployments and for the list to catch up, the diff, and the settling."""

import os
import tempfile
import time

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError, CdfmcRequestError
from ansible_collections.cisco.cdfmc.plugins.module_utils._options import OptionAdapter
from ansible_collections.cisco.cdfmc.plugins.module_utils._statefile import private_directory
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._action import ActionRun
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._deploy import Deployment, DeploySettings, deploy_argument_spec
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._deploy_lock import DeployFailed, PlayRecord, deploy_lock
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._deploy_plan import Plan

from test_deploy_plan import A, B, C, item  # the same devices and list items as the plan's tests


class _Client:
    class settings:
        server = 'https://fmc.example.com'

    @staticmethod
    def config_path(path):
        return '/api/fmc_config/v1/domain/d%s' % path


class _Lists(_Client):
    """A client whose lists are given: path ending -> items, or an error to raise."""

    def __init__(self, lists):
        self.lists, self.reads = lists, []

    def all_items(self, path, deadline, params=None):
        self.reads.append((path, params))
        for ending, answer in self.lists.items():
            if path.endswith(ending):
                if isinstance(answer, Exception):
                    raise answer
                return list(answer(params) if callable(answer) else answer)
        return []


class _Quiet:
    def display(self, text):
        pass

    vvv = display


def deployment(client, clock, seconds=5, check_mode=False, diff_mode=False, display=None, **options):
    """A Deployment through ``client``, on the fake clock, with ``seconds`` left, for cdfmc_deploy's options."""
    arguments = dict({'base_url': 'https://fmc.example.com', 'api_token': 't', 'devices': 'all', 'pending_grace': 10,
                      'poll_interval': 0.05, 'settle_timeout': 1}, **options)
    options = OptionAdapter.from_arguments(arguments, deploy_argument_spec())
    run = ActionRun(options, clock.deadline(), display or _Quiet(), check_mode, diff_mode)
    return Deployment(run, DeploySettings.from_options(options, run.warn), client,
                      clock.deadline(seconds, stop=run.deadline.stop))


@pytest.fixture
def own_tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, 'gettempdir', lambda: str(tmp_path))
    return tmp_path


def test_the_deploy_lock_is_held_by_one_fork_and_another_waits_until_its_deadline(own_tmp, clock):
    warnings = []
    with deploy_lock(_Client(), clock.deadline(5), warnings.append):
        started = clock.ticks
        with pytest.raises(DeployFailed, match='another fork of this host was requesting a deployment'):
            with deploy_lock(_Client(), clock.deadline(0.4), warnings.append):
                pytest.fail('the lock was had twice')
        assert 0.2 < clock.ticks - started < 3
    with deploy_lock(_Client(), clock.deadline(0.4), warnings.append):
        pass  # released: had at once
    assert warnings == []


def test_an_unusable_deploy_lock_warns_and_goes_on_and_the_body_s_errors_pass_through(own_tmp, clock):
    warnings = []
    with deploy_lock(_Client(), clock.deadline(5), warnings.append):
        pass
    (name,) = [name for name in os.listdir(private_directory()) if name.endswith('.deploy.lock')]
    lock = os.path.join(private_directory(), name)
    os.unlink(lock)
    os.symlink(str(own_tmp / 'elsewhere'), lock)
    with pytest.raises(DeployFailed, match='the body failed'):
        with deploy_lock(_Client(), clock.deadline(5), warnings.append):
            raise DeployFailed('the body failed')
    assert len(warnings) == 1 and 'is a symbolic link' in warnings[0] and 'not serialised' in warnings[0]
    assert not (own_tmp / 'elsewhere').exists()


def _job(start, job_type='DEPLOYMENT', job_status='Deployed', **devices):
    """A job history item as FMC writes it: ISO times, device words, per-device counters; ended 10 s after it
    started."""
    return {'id': 'job-%s' % start, 'jobType': job_type, 'jobStatus': job_status,
            'startTime': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(start)),
            'endTime': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(start + 10)), 'deviceList': [
                dict({'deviceUUID': device, 'deploymentStatus': status, 'deployedVersion': 2},
                     **({'containerUUID': 'ha'} if device.startswith('m') else {}))
                for device, status in devices.items()]}


def test_a_listed_version_older_than_a_deployment_that_succeeded_is_list_lag(clock):
    now = clock.now()
    version = str(int((now - 60) * 1000))
    jobs = [_job(now - 30, a='SUCCEEDED', b='FAILED', m1='SUCCEEDED', m2='SUCCEEDED'),
            _job(now - 90, c='SUCCEEDED'),  # started before the change listed: the change is pending
            _job(now - 20, job_type='ROLLBACK', d='SUCCEEDED'),  # a rollback deploys no pending change
            {'id': 'system', 'jobType': 'UNKNOWN', 'jobStatus': 'DEPLOYED', 'startTime': 'x'}]
    deploy = deployment(_Lists({'/jobhistories': jobs, '/deployabledevices': [
        dict(item(version), device={'id': device}) for device in ('a', 'b', 'c', 'd', 'ha')]}), clock)
    devices = [dict(A, id=device) for device in ('a', 'b', 'c', 'd')] + [dict(A, id='ha', members=[{'id': 'm1'}])]
    plan = deploy.read_plan(devices)
    assert [device['id'] for device in plan.targets] == ['b', 'c', 'd'] and deploy.run.warnings == []
    window, deploying = [params['filter'] for path, params in deploy.client.reads if path.endswith('/jobhistories')]
    since, until = [int(part.split(':')[1]) for part in window.split(';')]
    assert window.startswith('startTime:') and ';endTime:' in window and since < now < until
    assert deploying == 'jobType:DEPLOYMENT;status:DEPLOYING'


def test_a_deployment_that_ended_long_ago_or_was_rolled_back_since_gives_no_list_lag_credit(clock):
    now = clock.now()
    version = str(int((now - 3 * 3600) * 1000))
    jobs = [_job(now - 2 * 3600, a='SUCCEEDED'),  # ended long before: the list does not lag that long
            _job(now - 60, b='SUCCEEDED'), _job(now - 30, job_type='ROLLBACK', b='SUCCEEDED')]
    deploy = deployment(_Lists({'/jobhistories': lambda params: jobs if params['filter'].startswith('startTime') else [],
                                '/deployabledevices': [dict(item(version), device={'id': device})
                                                       for device in ('a', 'b')]}), clock)
    assert [device['id'] for device in deploy.read_plan([dict(A, id='a'), dict(A, id='b')]).targets] == ['a', 'b']


def test_a_device_is_deploying_when_any_device_of_it_is_and_none_and_edit_inuse_count_for_nothing(clock):
    now = clock.now()
    jobs = [_job(now - 5, job_status='DEPLOYING', m1='SUCCEEDED', m2='DEPLOYING', b='NONE'),
            _job(now - 5, job_status='EDIT_INUSE', c='EDIT_INUSE')]
    deploy = deployment(_Lists({'/jobhistories': jobs}), clock, check_mode=True)
    plan = deploy.read_plan([dict(A, id='ha', members=[{'id': 'm1'}]), dict(B), dict(C)])
    assert [device['id'] for device in plan.deploying] == ['ha'] and deploy.run.warnings == []  # no unknown status


def test_jobs_the_filter_let_through_from_before_the_window_are_not_trusted(clock):
    old = _job(clock.now() - 30 * 3600, job_status='DEPLOYING', a='DEPLOYING')
    lists = {'/jobhistories': lambda params: [old] if params['filter'].startswith('startTime') else []}
    assert deployment(_Lists(lists), clock, check_mode=True).read_plan([A]).deploying == []
    # A deployment that FMC says is deploying now counts, whenever it started.
    lists = {'/jobhistories': lambda params: [] if params['filter'].startswith('startTime') else [old]}
    assert deployment(_Lists(lists), clock, check_mode=True).read_plan([A]).deploying == [A]


def test_an_fmc_without_job_history_deploys_from_is_deploying_alone_with_one_warning(clock):
    client = _Lists({'/jobhistories': CdfmcRequestError('GET x/jobhistories: HTTP 404', status=404),
                     '/deployabledevices': [dict(item(5), device={'id': 'a'}, isDeploying=True)]})
    deploy = deployment(client, clock, check_mode=True)
    assert deploy.read_plan([A, B]).deploying == [A]
    deploy.read_plan([A, B])
    warnings = deploy.run.warnings
    assert len(warnings) == 1 and 'has no deployment job history (GET x/jobhistories: HTTP 404)' in warnings[0]
    assert len([read for read in client.reads if read[0].endswith('/jobhistories')]) == 1
    failing = deployment(_Lists({'/jobhistories': CdfmcRequestError('GET x: HTTP 500', status=500)}), clock,
                         check_mode=True)
    with pytest.raises(CdfmcRequestError):
        failing.read_plan([A])


def test_a_grace_longer_than_the_time_left_is_cut_to_half_of_it_and_then_skipped_with_a_warning(display_lines,
                                                                                                clock):
    client = _Lists({'/deployabledevices': []})
    deploy = deployment(client, clock, seconds=0.6, display=display_lines)
    started = clock.ticks
    plan = deploy.settled_plan([A])
    assert plan.targets == [] and plan.up_to_date == [A] and clock.ticks - started < 0.5
    assert 'no time was left to read the deployable list again' in deploy.run.warnings[0]
    deploy = deployment(client, clock, seconds=3, display=display_lines)
    started = clock.ticks
    deploy.settled_plan([A])
    assert 1.2 < clock.ticks - started < 2.5 and deploy.run.warnings == []  # read again after half the time left
    # Said at the default verbosity, so that the wait does not look stuck.
    (line,) = display_lines.lines
    assert line.startswith('cdfmc_deploy: nothing pending for ftd-a; reading the list again in ')
    assert line.endswith(' s (pending_grace), as FMC lists a change a few seconds after it is made')
    assert len([path for path, _params in client.reads if path.endswith('/deployabledevices')]) == 3


def test_check_mode_does_not_wait_for_another_deployment_but_says_so(clock):
    deploying = {'/deployabledevices': [dict(item(5, isDeploying=True, canBeDeployed=False),
                                             device={'id': 'a', 'name': 'ftd-a', 'type': 'Device'})]}
    deploy = deployment(_Lists(deploying), clock, check_mode=True)
    plan = deploy.settled_plan([A])
    assert plan.targets == [A] and plan.blocked == []
    assert 'another deployment is in progress for ftd-a' in deploy.run.warnings[0]
    with pytest.raises(DeployFailed, match='on_deploying: fail'):
        deployment(_Lists(deploying), clock, check_mode=True, on_deploying='fail').settled_plan([A])


def test_settling_never_fails_a_deployment_that_ended(clock):
    plan = Plan([A, B], {'a': item(5), 'b': item(5)}, [], force=False)
    task = {'state': 'failed', 'terminal': True, 'sub_tasks': [
        {'target_id': 'a', 'state': 'succeeded', 'message': ''}, {'target_id': 'b', 'state': 'failed', 'message': ''}]}
    broken = deployment(_Lists({'/deployabledevices': CdfmcRequestError('GET x: HTTP 503', status=503)}), clock)
    broken.settle(plan, task)
    assert 'whether the deployable list caught up with it is not known (GET x: HTTP 503)' in broken.run.warnings[0]
    # The list never catches up with ftd-a: a warning after settle_timeout; ftd-b failed, so it is not waited for.
    listed = [dict(item(5), device={'id': device_id, 'name': device_id}) for device_id in ('a', 'b')]
    deploy = deployment(_Lists({'/deployabledevices': listed}), clock, settle_timeout=1)
    started = clock.ticks
    deploy.settle(plan, task)
    assert 0.8 < clock.ticks - started < 2.5
    assert 'the deployable list still listed ftd-a when settle_timeout (1 s) came' in deploy.run.warnings[0]
    # The one deadline can come first: then the warning says so.
    deploy = deployment(_Lists({'/deployabledevices': listed}), clock, seconds=0.5, settle_timeout=60)
    deploy.settle(plan, task)
    assert 'the deployable list still listed ftd-a when the timeout came' in deploy.run.warnings[0]
    # Once the list drops it (or lists a newer version), settling ends at once, without a warning.
    deploy = deployment(_Lists({'/deployabledevices': [dict(item(6), device={'id': 'a', 'name': 'a'})]}), clock)
    deploy.settle(plan, task)
    assert deploy.run.warnings == []


def test_settling_cut_short_by_a_stop_says_so(clock):
    plan = Plan([A], {'a': item(5)}, [], force=False)
    task = {'state': 'succeeded', 'terminal': True, 'sub_tasks': []}
    deploy = deployment(_Lists({'/deployabledevices': [dict(item(5), device={'id': 'a'})]}), clock, settle_timeout=60)
    deploy.deadline.stop.set()
    deploy.settle(plan, task)
    assert deploy.run.warnings == [
        'cdfmc_deploy: the deployment ended, but whether the deployable list caught up with it is not known '
        '(interrupted while waiting for the deployable list to catch up); a second run may deploy again']


def test_a_diff_without_pending_changes_shows_the_policies_and_says_why_at_vvv(display_lines, clock):
    listed = {'a': {'version': '5', 'policyStatusList': [{'upToDate': False, 'policy': {'name': 'ACP'}}]}}
    lines = display_lines
    deploy = deployment(_Lists({'/pendingchanges': CdfmcRequestError('GET x/pendingchanges: HTTP 404', status=404)}),
                        clock, diff_mode=True, display=lines)
    (diff,) = deploy.pending_diff(Plan([{'id': 'a', 'name': 'ftd-a'}], listed, [], False))
    assert diff['after'] == 'policy ACP: pending\n' and diff['after_header'] == 'ftd-a (pending)'
    assert lines.lines == ['cdfmc_deploy: pending changes of ftd-a not read, the diff shows its '
                           'policies: GET x/pendingchanges: HTTP 404']


def test_the_deploy_s_range_checks_live_with_its_settings(clock):
    for options, message in (({'pending_grace': -1}, 'pending_grace must be 0 or a positive'),
                             ({'settle_timeout': -5}, 'settle_timeout must be 0 or a positive'),
                             ({'timeout': 0}, 'timeout must be a positive number of seconds, got 0')):
        with pytest.raises(CdfmcOptionError, match=message):
            deployment(_Lists({}), clock, **options)


def test_the_run_once_hint_is_for_the_same_task_of_the_same_run_on_another_host(own_tmp, clock):
    path = os.path.join(str(own_tmp), 'record.play')
    PlayRecord(path, {'task': 't-1', 'host': 'host01'}, clock).deployed([A, B])
    assert PlayRecord(path, {'task': 't-1', 'host': 'host02'}, clock).by_another_host([A, C]) == [A]
    assert PlayRecord(path, {'task': 't-1', 'host': 'host01'}, clock).by_another_host([A]) == []  # a loop on one host
    assert PlayRecord(path, {'task': 't-2', 'host': 'host02'}, clock).by_another_host([A]) == []  # a later task
    assert PlayRecord(path, {'task': None, 'host': 'host02'}, clock).by_another_host([A]) == []
    clock.advance(3601)
    assert PlayRecord(path, {'task': 't-1', 'host': 'host02'}, clock).by_another_host([A]) == []  # long ago
