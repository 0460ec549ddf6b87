# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""cdfmc_rollback, put together, and the rollback of cdfmc_deploy's ``on_failure``: read each device's jobs,
choose the configuration to return to (``_rollback_plan``), refuse what cannot go before anything is sent, send one
request, and wait for it - through its task, or, when FMC's answer names none (as Cisco's example), through the
ROLLBACK job it adds to the job history.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It is controller-only; it talks HTTP through the client and starts the
poll threads of the wait.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cisco.cdfmc.plugins.module_utils._connection_spec import connection_argument_spec
from ansible_collections.cisco.cdfmc.plugins.module_utils._display import shown
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcError, CdfmcOptionError
from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import (
    FAILED,
    RUNNING,
    SUCCEEDED,
    TERMINAL_STATES,
    UNKNOWN,
    StatusMapper,
    task_facts_argument_spec,
)
from ansible_collections.cisco.cdfmc.plugins.module_utils._retry import may_have_arrived
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._deploy_lock import deploy_lock
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._deploy_api import RECENT, read_device_jobs, request_rollback
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._devices import ALL, check_devices, managed_devices, select
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._jobs import DEPLOYMENT, ROLLBACK, epoch_ms, states_by_device
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._rollback_plan import (
    BEFORE_JOB,
    BEFORE_NOTE,
    JOB_ID,
    NOTE,
    PREVIOUS,
    REFUSED,
    ROLL_BACK,
    UNCHANGED,
    Choice,
    Selector,
    check_message,
    choose,
    device_facts,
    history,
    job_facts,
    job_named,
    outcome_message,
    refusal_message,
    request_body,
    rollback_diff,
    rollback_reports,
    unchanged_reports,
    undo_message,
    with_can_rollback,
)
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._reports import report_argument_spec
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._task_wait import wait_for_task
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._wait import (
    WaitSettings,
    unread_task_facts,
    wait_timing_argument_spec,
)

NAME = 'cdfmc_rollback'
# The options that choose the configuration to return to, and how each chooses it.
SELECTORS = {JOB_ID: JOB_ID, NOTE: NOTE, BEFORE_NOTE: BEFORE_NOTE, 'before_job_id': BEFORE_JOB}
# The time a rollback after a failed deployment is given at least, when less of cdfmc_deploy's timeout is left
# (seconds).
UNDO_TIME = 300
# How far a time that names no zone may be from UTC (seconds).
ZONES = 14 * 3600
NO_ROLLBACK = ('%s has no configuration rollback (it needs FMC 6.7 or later, or cdFMC): %s')


def rollback_argument_spec():
    """The options of cdfmc_rollback: the connection options, the wait's, and its own."""
    spec = connection_argument_spec()
    spec.update(task_facts_argument_spec())
    spec.update(
        devices=dict(type='raw', required=True),
        job_id=dict(type='str'),
        note=dict(type='str'),
        before_note=dict(type='str'),
        before_job_id=dict(type='str'),
        wait=dict(type='bool', default=True),
    )
    spec.update(wait_timing_argument_spec())
    spec.update(report_argument_spec())
    return spec


class RollbackSettings:
    """What a rollback is asked for, checked once: the devices (names and ids; not ``all``), how the configuration
    to return to is chosen (``selector``), whether to wait, and the wait's settings (``wait_settings``)."""

    def __init__(self, devices, selector, wait_settings, wait=True, detailed_device_status=True):
        self.devices, self.selector, self.wait_settings = devices, selector, wait_settings
        self.wait, self.detailed_device_status = wait, detailed_device_status

    @classmethod
    def from_options(cls, options, warn=None):
        """The settings of cdfmc_rollback's options (an OptionAdapter); ``warn`` is told of unknown statuses."""
        devices = check_devices(options['devices'])
        if devices == ALL:
            raise CdfmcOptionError('devices: a rollback names its devices; "all" is not accepted')
        given = [name for name in SELECTORS if options.get(name)]
        if len(given) > 1:
            raise CdfmcOptionError('%s are mutually exclusive: give at most one' % ' and '.join(given))
        selector = Selector(SELECTORS[given[0]], options[given[0]]) if given else Selector(PREVIOUS, None)
        if selector.how in (JOB_ID, BEFORE_JOB):
            selector = Selector(selector.how, _job_id(selector.value, given[0]))
        mapper = StatusMapper(options['status_map'], warn=warn)
        wait_settings = WaitSettings.from_options(options, options.connection().request_timeout, mapper).bounded()
        return cls(devices, selector, wait_settings, options['wait'], options['detailed_device_status'])


def _job_id(value, option='job_id'):
    """The job_id (or before_job_id) option, checked: the id of a job, as it stands in a request's body."""
    text = str(value).strip()
    if not text or len(text) > 128 or any(ord(char) < 33 for char in text):
        raise CdfmcOptionError('%s must be the id of a job of FMC\'s deployment history, got "%s"'
                               % (option, shown(value, 60)))
    return text


class Rollback:
    """One rollback against one FMC: the jobs of each device, the request, and the wait for it.

    ``run`` (an ActionRun) gives the display, the warnings and the modes; ``wait_settings`` time the wait of the
    rollback's task; ``client`` talks to FMC; every wait ends by ``deadline``. ``seen`` are the ids of the jobs read
    so far: a job not among them after the request is new.
    """

    def __init__(self, run, wait_settings, client, deadline):
        self.run, self.wait_settings, self.client, self.deadline = run, wait_settings, client, deadline
        self.seen = set()

    def steps(self, device, allowed=True):
        """The Steps of ``device`` in its jobs, newest first (CdfmcError when FMC has no job history); with
        ``allowed`` false, without the second read that says canRollback (enough to follow a job)."""
        jobs = read_device_jobs(self.client, device, self.deadline, self.wait_settings.mapper, allowed)
        if jobs.missing:
            raise CdfmcError(NO_ROLLBACK % (self.client.settings.server, jobs.missing))
        joined = with_can_rollback(jobs.jobs, jobs.allowed)
        self.seen.update(job['id'] for job in joined)
        return history(device, joined)

    def send(self, choices):
        """Send the rollback request for the choices to roll back: the task id FMC's answer names (None: none, and
        the rollback is followed in the job history). CdfmcError when FMC refused it or may not have had it."""
        self.run.display.display('%s: rolling back %s' % (NAME, '; '.join(
            '%s to job %s' % (shown(choice.device['name']), job_named(choice.target.job))
            for choice in choices if choice.kind == ROLL_BACK)))
        answer = request_rollback(self.client, request_body(choices), self.deadline)
        error = answer.error
        if error is None or (error.status is not None and 200 <= error.status < 300):
            return answer.task_id
        if error.status == 404:
            raise CdfmcError(NO_ROLLBACK % (self.client.settings.server, error))
        if may_have_arrived(error):
            raise CdfmcError('%s; the request may have reached FMC, so a rollback may have started: look at its '
                             'deployment history before running this again' % error)
        raise CdfmcError('FMC refused the rollback: %s' % error)

    def follow_jobs(self, targets, known):
        """Wait for the ROLLBACK jobs that the request added to the job history (per device, its newest one that is
        not among the ``known`` job ids): ({device id: (state, message)}, timed out). A read that fails is tried
        again at the next poll; at the deadline, a device whose job was not seen ending is unknown or running."""
        states, problem = {}, None
        while True:
            for choice in targets:
                if states.get(choice.device['id'], (RUNNING,))[0] in TERMINAL_STATES:
                    continue
                try:
                    job = self._new_rollback_job(choice.device, known)
                except CdfmcError as exc:
                    problem = exc
                    continue
                if job is not None:
                    states.update(_job_states(job, targets))
            if all(states.get(choice.device['id'], (RUNNING,))[0] in TERMINAL_STATES for choice in targets):
                return states, False
            if self.deadline.pause(self.wait_settings.poll_interval):
                return _unfinished(states, targets, problem), True

    def _new_rollback_job(self, device, known):
        """The newest ROLLBACK job of ``device`` that is not among the ``known`` job ids, or None."""
        found = [step.job for step in self.steps(device, allowed=False)
                 if step.job['type'] == ROLLBACK and step.job['id'] not in known]
        return found[0] if found else None


def _job_states(job, targets):
    """{device id: (state, message)} of the targets that a ROLLBACK job names (a pair by its members): the state of
    a member that has not ended while one has not, else the first state that is not a success."""
    by_device = states_by_device(job)
    states = {}
    for choice in targets:
        found = by_device.get(choice.device['id'], []) + [
            state for member in choice.device.get('members') or [] for state in by_device.get(member['id'], [])]
        if found:
            state = next((state for state in found if state not in TERMINAL_STATES), None) or next(
                (state for state in found if state != SUCCEEDED), SUCCEEDED)
            states[choice.device['id']] = (state, 'job %s: %s' % (job['name'] or job['id'], job['status']))
    return states


def _unfinished(states, targets, problem):
    """The states at the deadline: a device whose rollback job was not seen, or not seen ending, says so."""
    found = dict(states)
    for choice in targets:
        state, _message = found.get(choice.device['id'], (UNKNOWN, None))
        if state not in TERMINAL_STATES:
            found[choice.device['id']] = (state, 'the rollback %s in FMC\'s job history when the timeout came%s' % (
                'job was not seen' if choice.device['id'] not in states else 'had not ended',
                ' (the last read failed: %s)' % problem if problem is not None else ''))
    return found


def named_devices(run, client, deadline, wanted):
    """The devices ``wanted`` names, resolved against every managed device, HA pair and cluster (warnings given)."""
    devices, notes = select(managed_devices(client, deadline), wanted, client.settings.server,
                            'it is rolled back with it')
    for note in notes:
        run.warn(note)
    return devices


def plan(rollback, devices, selector):
    """The Choice of each device for ``selector``."""
    return [choose(device, rollback.steps(device), selector) for device in devices]


def _planned(run, choices):
    """(the result so far, True when a request is to be sent): the unchanged devices, the refusal (nothing is sent),
    check mode's targets, the diff."""
    result = {'unchanged': unchanged_reports(choices)}
    refused = [choice for choice in choices if choice.kind == REFUSED]
    if refused:
        return dict(result, failed=True, msg=refusal_message(refused), refused=[
            dict(device_facts(choice.device), reason=choice.reason) for choice in refused], not_sent=[
            device_facts(choice.device) for choice in choices if choice.kind == ROLL_BACK]), False
    targets = [choice for choice in choices if choice.kind == ROLL_BACK]
    if run.diff_mode and targets:
        result['diff'] = [rollback_diff(choice) for choice in targets]
    if run.check_mode or not targets:
        unchanged = [choice for choice in choices if choice.kind == UNCHANGED]
        return dict(result, changed=bool(targets), rolled_back=rollback_reports(choices),
                    msg=check_message(choices) if run.check_mode else outcome_message([], unchanged)), False
    return result, True


def waited(rollback, choices, task_id, known, detailed_device_status=True):
    """What became of a rollback requested for ``choices`` (``known``: the job ids read before the request):
    (task facts or None, rolled_back reports, timed out, failed) - through its task, or its ROLLBACK jobs."""
    if task_id is None:
        job_states, timed_out = rollback.follow_jobs([c for c in choices if c.kind == ROLL_BACK], known)
        reports = rollback_reports(choices, job_states=job_states)
        failed = rollback.wait_settings.fail_on_failure and any(report['state'] != SUCCEEDED for report in reports)
        return None, reports, timed_out, failed or timed_out
    summary = wait_for_task(rollback.run.display, NAME, rollback.client, task_id, rollback.wait_settings,
                            rollback.deadline, detailed_device_status)
    task = summary['tasks'][0]
    timed_out = bool(summary.get('timed_out')) or not task['terminal']
    return task, rollback_reports(choices, task), timed_out, summary['failed'] or timed_out


def rollback(run):
    """The result of cdfmc_rollback for its ActionRun: the devices named are resolved; under the lock of this host's
    forks, each device's jobs are read and the configuration to return to chosen, what cannot go is refused before
    anything is sent, devices left so by a rollback are unchanged, and one request is sent; then it is waited for."""
    settings = RollbackSettings.from_options(run.options, run.warn)
    client = run.client()
    deadline = run.deadline.from_start(settings.wait_settings.timeout)
    client.resolve_domain(deadline)
    worker = Rollback(run, settings.wait_settings, client, deadline)
    devices = named_devices(run, client, deadline, settings.devices)
    if run.check_mode:
        return _planned(run, plan(worker, devices, settings.selector))[0]
    with deploy_lock(client, deadline, run.warn, run.caller):
        choices = plan(worker, devices, settings.selector)
        result, go = _planned(run, choices)
        if not go:
            return result
        known = set(worker.seen)
        task_id = worker.send(choices)
    unchanged = [choice for choice in choices if choice.kind == UNCHANGED]
    if not settings.wait:
        task = unread_task_facts(task_id, settings.wait_settings.mapper, False) if task_id else None
        reports = rollback_reports(choices)
        return dict(result, changed=True, task=task, rolled_back=reports, msg='rollback of %s requested%s (wait: '
                    'false)' % (', '.join(shown(r['name']) for r in reports), ': task %s' % task['id'] if task else ''))
    task, reports, timed_out, failed = waited(worker, choices, task_id, known, settings.detailed_device_status)
    return dict(result, changed=True, task=task, rolled_back=reports, failed=failed,
                msg=outcome_message(reports, unchanged, timed_out))


def undo_deadline(deadline):
    """The deadline of the rollback after a failed deployment: what is left of cdfmc_deploy's, or UNDO_TIME from
    now when that is less."""
    return deadline if deadline.left() >= UNDO_TIME else deadline.unbounded().within(UNDO_TIME)


def _this_deployment(steps, since_ms, known):
    """The Step of the deployment requested at ``since_ms`` (the controller's wall clock): the newest DEPLOYMENT job
    of the device, if it is newer than every job of it that was read before the request (``known``: the last
    RECENT seconds of them) and did not start long before that window; else None (not listed yet)."""
    for step in steps:  # newest first
        if step.job['id'] in known:
            return None
        if step.job['type'] == DEPLOYMENT:
            started, slack = step.job['start_ms'], 0
            if started is None:  # a time without a zone, read as UTC: it may be off by up to 14 hours
                started, slack = epoch_ms(step.job['start_time']), ZONES
            return step if started is None or started >= since_ms - (RECENT + slack) * 1000 else None
    return None


def _undo_choice(rollback, device, since, until):
    """The Choice for a device that changed in a failed deployment (``since``: (requested at, known job ids)),
    reading its jobs again (until ``until``) while the job history does not show that deployment ended."""
    while True:
        steps = rollback.steps(device)
        this = _this_deployment(steps, *since)
        if this is not None and this.state in TERMINAL_STATES:
            return choose(device, steps, Selector(BEFORE_JOB, this.job['id']))
        if until.pause(rollback.wait_settings.poll_interval):
            return Choice(device, REFUSED, None, None, 'FMC\'s job history %s when the time to wait for it ran out' % (
                'still showed this deployment running' if this is not None else 'did not show this deployment'))


def _undone(rollback, targets, task_id, known):
    """The reports of the rollback after a failed deployment; one that had not ended when the timeout came says so,
    and that it may still end."""
    _task, reports, timed_out, _failed = waited(rollback, targets, task_id, known)
    for report in reports:
        if timed_out and report['state'] not in TERMINAL_STATES:
            report['message'] = ("the rollback had not ended when the timeout came and may still end: look at FMC's "
                                 "deployment job history")
    return reports


def undo_deployment(rollback, changed, since, patience):
    """cdfmc_deploy's ``on_failure: rollback``: return the devices that ``changed`` in a deployment that failed (they
    succeeded, or partially succeeded) to the configuration before it (``since``: (when it was requested, the job
    ids read before)), waiting at most ``patience`` seconds for the job history to show it ended. Never raises:
    {device id: {job, state, message}} of the devices changed, and a sentence."""
    found, targets, sent = {}, [], False
    try:
        with deploy_lock(rollback.client, rollback.deadline, rollback.run.warn, rollback.run.caller):
            until = rollback.deadline.within(patience)
            choices = [_undo_choice(rollback, device, since, until) for device in changed]
            for choice in choices:
                if choice.kind != ROLL_BACK:
                    found[choice.device['id']] = {'job': None, 'state': FAILED, 'message': 'not rolled back: %s' % (
                        choice.reason or 'its newest configuration is a rollback')}
            targets = [choice for choice in choices if choice.kind == ROLL_BACK]
            known = set(rollback.seen)
            if targets:
                task_id = rollback.send(targets)
                sent = True
        reports = _undone(rollback, targets, task_id, known) if targets else []
    except CdfmcError as exc:
        reports = [dict(device_facts(choice.device), job=job_facts(choice.target.job) if choice.target else None,
                        state=UNKNOWN if sent else FAILED, message='%s: %s' % (
                            'rollback requested, then not followed' if sent else 'not rolled back', exc))
                   for choice in targets] + [
            dict(device_facts(device), job=None, state=FAILED, message='not rolled back: %s' % exc)
            for device in changed if device['id'] not in found and not any(c.device is device for c in targets)]
    found.update((report['id'], dict((key, report[key]) for key in ('job', 'state', 'message'))) for report in reports)
    return found, undo_message(changed, found)
