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
from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import FAILED, RUNNING, SUCCEEDED, StatusMapper, task_facts_argument_spec
from ansible_collections.cisco.cdfmc.plugins.module_utils._retry import may_have_arrived
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._deploy_lock import deploy_lock
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._deploy_api import read_device_jobs, request_rollback
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._devices import ALL, check_devices, managed_devices, select
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._jobs import DEPLOYMENT, ROLLBACK, now_ms, states_by_device
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
    outcome_message,
    refusal_message,
    request_body,
    rollback_diff,
    rollback_reports,
    unchanged_reports,
    undo_message,
)
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._task_wait import ProgressDisplay, poll_until_done
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._wait import (
    WaitSettings,
    summarize,
    unread_task_facts,
    wait_timing_argument_spec,
)

NAME = 'cdfmc_rollback'
SELECTORS = (JOB_ID, NOTE, BEFORE_NOTE)
# How much earlier than the controller's clock FMC may date a job that started after a request (seconds): the two
# clocks are not the same.
CLOCK_SKEW = 300
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
        wait=dict(type='bool', default=True),
    )
    spec.update(wait_timing_argument_spec())
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
        selector = Selector(given[0], options[given[0]]) if given else Selector(PREVIOUS, None)
        if selector.how == JOB_ID:
            selector = Selector(JOB_ID, _job_id(selector.value))
        mapper = StatusMapper(options['status_map'], warn=warn)
        wait_settings = WaitSettings.from_options(options, options.connection().request_timeout, mapper)
        if wait_settings.timeout <= 0:
            raise CdfmcOptionError('timeout must be a positive number of seconds, got %r' % (wait_settings.timeout,))
        return cls(devices, selector, wait_settings, options['wait'], options['detailed_device_status'])


def _job_id(value):
    text = str(value).strip()
    if not text or len(text) > 128 or any(ord(char) < 33 for char in text):
        raise CdfmcOptionError('job_id must be the id of a job of FMC\'s deployment history, got %r' % shown(value, 60))
    return text


class Rollback:
    """One rollback against one FMC: the jobs of each device, the request, and the wait for it.

    ``run`` (an ActionRun) gives the display, the warnings and the modes; ``wait_settings`` time the wait of the
    rollback's task; ``client`` talks to FMC; every wait ends by ``deadline``.
    """

    def __init__(self, run, wait_settings, client, deadline):
        self.run, self.wait_settings, self.client, self.deadline = run, wait_settings, client, deadline
        self.seen = set()  # the ids of the jobs read so far

    def steps(self, device):
        """The Steps of ``device`` in its jobs, newest first (CdfmcError when FMC has no job history)."""
        jobs = read_device_jobs(self.client, device, self.deadline, self.wait_settings.mapper)
        if jobs.missing:
            raise CdfmcError(NO_ROLLBACK % (self.client.settings.server, jobs.missing))
        self.seen.update(job['id'] for job in jobs.jobs)
        return history(device, jobs.jobs)

    def send(self, choices):
        """Send the rollback request for the choices to roll back: the task id FMC's answer names (None: none, and
        the rollback is followed in the job history). CdfmcError when FMC refused it or may not have had it."""
        body = request_body(choices)
        self.run.display.display('%s: rolling back %s' % (NAME, '; '.join(
            '%s to job %s' % (shown(choice.device['name']), shown(choice.target.job['name'] or choice.target.job['id']))
            for choice in choices if choice.kind == ROLL_BACK)))
        answer = request_rollback(self.client, body, self.deadline)
        error = answer.error
        if error is None or (error.status is not None and 200 <= error.status < 300):
            return answer.task_id
        if error.status == 404:
            raise CdfmcError(NO_ROLLBACK % (self.client.settings.server, error))
        if may_have_arrived(error):
            raise CdfmcError('%s; the request may have reached FMC, so a rollback may have started: look at its '
                             'deployment history before running this again' % error)
        raise CdfmcError('FMC refused the rollback: %s' % error)

    def wait_task(self, task_id, detailed_device_status=True):
        """Wait for the rollback's task, from now until the deadline: the summary of the wait."""
        progress = ProgressDisplay(self.run.display, NAME, self.deadline.clock)
        outcome = poll_until_done(self.client, [task_id], self.wait_settings, progress, self.deadline.restarted(),
                                  detailed_device_status)
        return summarize(outcome, [task_id], self.wait_settings)

    def follow_job(self, choices, known, sent_ms):
        """Wait for the ROLLBACK job that the request added to the job history (the newest one of the devices, not
        in ``known`` job ids, started after ``sent_ms`` give or take CLOCK_SKEW): {device id: (state, message)}, once
        none is running, or what was read when the deadline came."""
        targets = [choice for choice in choices if choice.kind == ROLL_BACK]
        states = {}
        while True:
            job = self._rollback_job(targets[0].device, known, sent_ms)
            if job is not None:
                states = _job_states(job, targets)
                if not any(state == RUNNING for state, _message in states.values()):
                    return states
            if self.deadline.expired or self.deadline.sleep(self.wait_settings.poll_interval) or \
                    self.deadline.expired:
                return dict((choice.device['id'], states.get(choice.device['id'], (
                    'unknown', 'the rollback job was not seen ending in FMC\'s job history before the timeout')))
                    for choice in targets)

    def _rollback_job(self, device, known, sent_ms):
        found = [step.job for step in self.steps(device) if step.job['type'] == ROLLBACK and
                 step.job['id'] not in known and (step.job['start_ms'] or 0) >= sent_ms - CLOCK_SKEW * 1000]
        return found[0] if found else None


def _job_states(job, targets):
    """{device id: (state, message)} of the targets in a ROLLBACK job: running while any of its members is."""
    by_device = states_by_device(job)
    states = {}
    for choice in targets:
        found = by_device.get(choice.device['id'], []) + [
            state for member in choice.device.get('members') or [] for state in by_device.get(member['id'], [])]
        state = RUNNING if not found or RUNNING in found else next(
            (state for state in found if state != SUCCEEDED), SUCCEEDED)
        states[choice.device['id']] = (state, 'job %s: %s' % (shown(job['name'] or job['id']), shown(job['status'])))
    return states


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


def carried_out(rollback, choices, wait=True, detailed_device_status=True):
    """Send the request for ``choices`` (under the lock of this host's forks) and wait for it: (task facts or None,
    rolled_back reports, failed)."""
    known = set(rollback.seen)
    with deploy_lock(rollback.client, rollback.deadline, rollback.run.warn, rollback.run.caller):
        sent_ms = now_ms(rollback.deadline.clock)
        task_id = rollback.send(choices)
    settings = rollback.wait_settings
    if not wait:
        task = unread_task_facts(task_id, settings.mapper, settings.include_raw) if task_id else None
        return task, rollback_reports(choices), False
    if task_id is None:
        job_states = rollback.follow_job(choices, known, sent_ms)
        reports = rollback_reports(choices, job_states=job_states)
        return None, reports, settings.fail_on_failure and any(report['state'] != SUCCEEDED for report in reports)
    waited = rollback.wait_task(task_id, detailed_device_status)
    task = waited['tasks'][0]
    return task, rollback_reports(choices, task), waited['failed']


def rollback(run):
    """The result of cdfmc_rollback for its ActionRun: the devices named are resolved, each device's jobs read and
    the configuration to return to chosen; what cannot go is refused before anything is sent; devices left so by a
    rollback are unchanged; one request is sent, and waited for."""
    settings = RollbackSettings.from_options(run.options, run.warn)
    client = run.client()
    deadline = run.deadline.from_start(settings.wait_settings.timeout)
    client.resolve_domain(deadline)
    worker = Rollback(run, settings.wait_settings, client, deadline)
    choices = plan(worker, named_devices(run, client, deadline, settings.devices), settings.selector)
    refused = [choice for choice in choices if choice.kind == REFUSED]
    unchanged = [choice for choice in choices if choice.kind == UNCHANGED]
    result = {'unchanged': unchanged_reports(choices)}
    if refused:
        return dict(result, failed=True, msg=refusal_message(refused), refused=[
            dict(name=choice.device['name'], id=choice.device['id'], type=choice.device['type'], reason=choice.reason)
            for choice in refused])
    targets = [choice for choice in choices if choice.kind == ROLL_BACK]
    if run.diff_mode and targets:
        result['diff'] = [rollback_diff(choice) for choice in targets]
    if run.check_mode or not targets:
        return dict(result, changed=bool(targets), rolled_back=rollback_reports(choices),
                    msg=check_message(choices) if run.check_mode else outcome_message([], [c.device for c in unchanged]))
    task, reports, failed = carried_out(worker, choices, settings.wait, settings.detailed_device_status)
    if not settings.wait:
        return dict(result, changed=True, task=task, rolled_back=reports, msg='rollback of %s requested%s (wait: '
                    'false)' % (', '.join(shown(r['name']) for r in reports), ': task %s' % task['id'] if task else ''))
    return dict(result, changed=True, task=task, rolled_back=reports, failed=failed,
                msg=outcome_message(reports, [choice.device for choice in unchanged]))


def _this_deployment(steps, since_ms):
    """The Step of the deployment requested at ``since_ms`` (the controller's clock, give or take CLOCK_SKEW): the
    newest DEPLOYMENT job of the device that started since then, or None."""
    found = [step for step in steps if step.job['type'] == DEPLOYMENT and
             (step.job['start_ms'] or 0) >= since_ms - CLOCK_SKEW * 1000]
    return found[0] if found else None


def _steps_once_ended(rollback, device, since_ms, until):
    """The device's Steps and the Step of the deployment requested at ``since_ms``, read again (until ``until``)
    while the job history still shows it running: it can lag the task's end."""
    while True:
        steps = rollback.steps(device)
        this = _this_deployment(steps, since_ms)
        if this is None or this.state != RUNNING or until.expired or until.sleep(
                rollback.wait_settings.poll_interval) or until.expired:
            return steps, this


def _undo_choice(rollback, device, since_ms, until):
    """The Choice for a device of a failed deployment (None: it did not change, and is left as FMC left it)."""
    steps, this = _steps_once_ended(rollback, device, since_ms, until)
    if this is None:
        return Choice(device, REFUSED, None, None, 'this deployment is not in its job history, so the '
                                                   'configuration before it is not known')
    if not this.changed:
        return None
    return choose(device, steps, Selector(BEFORE_JOB, this.job['id']))


def undo_deployment(rollback, devices, since_ms, patience):
    """cdfmc_deploy's ``on_failure: rollback``: return the ``devices`` of a deployment requested at ``since_ms``
    (epoch ms) that changed in it (succeeded, or partially succeeded, as its job history shows) to the configuration
    before it, waiting at most ``patience`` seconds for the job history to show the deployment ended.
    {device id: {job, state, message}} of the devices it concerns, and a sentence."""
    until = rollback.deadline.within(patience)
    choices = [choice for choice in (_undo_choice(rollback, device, since_ms, until) for device in devices)
               if choice is not None]
    found = dict((choice.device['id'], {'job': None, 'state': FAILED, 'message': 'not rolled back: %s' % (
        choice.reason)}) for choice in choices if choice.kind != ROLL_BACK)
    targets = [choice for choice in choices if choice.kind == ROLL_BACK]
    if targets:
        try:
            _task, reports, _failed = carried_out(rollback, targets)
        except CdfmcError as exc:
            reports = [dict(device_facts(choice.device), job=job_facts(choice.target.job), state=FAILED,
                            message='not rolled back: %s' % exc) for choice in targets]
        found.update((report['id'], dict((key, report[key]) for key in ('job', 'state', 'message')))
                     for report in reports)
    return found, undo_message(devices, found)
