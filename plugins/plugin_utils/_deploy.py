# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""cdfmc_deploy, put together: deploy what is pending on the devices named, wait for each device's result, and
wait for the deployable list to catch up, so that a second run finds nothing to do.

What is pending and what FMC's answers mean is the plan (``_deploy_plan``); the requests are FMC's deployment API
(``_deploy_api``); here is the order of things. One deadline (``timeout`` from the start of the task) covers
waiting for another deployment, the request, the wait and the settling. Deployments from the forks of one host to
one server are serialised by a lock file (held from the first read of what is pending until FMC has accepted the
request).

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It is controller-only; it talks HTTP through the client and starts the
poll threads of the wait.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cisco.cdfmc.plugins.module_utils._connection_spec import connection_argument_spec
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcError, CdfmcOptionError, CdfmcRequestError
from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import SUCCEEDED, StatusMapper, task_facts_argument_spec
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._deploy_api import (
    read_deployable,
    read_jobs,
    read_pending_changes,
    request_deployment,
)
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._deploy_plan import (
    ACCEPTED,
    IN_PROGRESS,
    changed_devices,
    LAG_CREDIT,
    device_diff,
    device_reports,
    deployed_versions,
    listed_version,
    names,
    nothing_sent_message,
    outcome_message,
    plan_of,
    request_body,
    request_outcome,
    still_listed,
)
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._deploy_lock import DeployFailed, deploy_lock
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._devices import ALL, check_devices, managed_devices, select
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._jobs import now_ms
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._reports import report_argument_spec
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._rollback import Rollback, undo_deadline, undo_deployment
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._task_wait import wait_for_task
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._wait import (
    WaitSettings,
    unread_task_facts,
    wait_timing_argument_spec,
)

# Rounds of "another deployment ended, read again, deploy what is still pending", at most.
MAX_ROUNDS = 5
# The shortest pending_grace worth a second read of the deployable list (seconds).
MIN_GRACE = 0.5
NAME = 'cdfmc_deploy'


def deploy_argument_spec():
    """The options of cdfmc_deploy: the connection options, the wait's, and its own."""
    spec = connection_argument_spec()
    spec.update(task_facts_argument_spec())
    spec.update(
        devices=dict(type='raw', required=True),
        force=dict(type='bool', default=False),
        ignore_warnings=dict(type='bool', default=False),
        note=dict(type='str'),
        on_deploying=dict(type='str', default='wait', choices=['wait', 'fail']),
        on_failure=dict(type='str', default='fail', choices=['fail', 'rollback']),
        interrupt_traffic=dict(type='bool', default=True),
        pending_grace=dict(type='int', default=10),
        settle_timeout=dict(type='int', default=60),
        wait=dict(type='bool', default=True),
    )
    spec.update(wait_timing_argument_spec())
    spec.update(report_argument_spec())
    return spec


class DeploySettings:
    """What a deployment is asked for, checked once: the devices (``all``, or names and ids), the request's flags,
    how long to wait for what, and the wait of its task (``wait_settings``, a WaitSettings)."""

    FIELDS = ('force', 'ignore_warnings', 'note', 'on_deploying', 'on_failure', 'interrupt_traffic', 'pending_grace',
              'settle_timeout', 'wait', 'timeout', 'poll_interval', 'detailed_device_status')

    def __init__(self, devices, wait_settings, **fields):
        self.devices, self.wait_settings = devices, wait_settings
        for name in self.FIELDS:
            setattr(self, name, fields[name])
        for name in ('pending_grace', 'settle_timeout'):
            if getattr(self, name) < 0:
                raise CdfmcOptionError('%s must be 0 or a positive number of seconds, got %r' % (name, fields[name]))
        if self.on_failure == 'rollback' and not self.interrupt_traffic:
            raise CdfmcOptionError('on_failure: rollback with interrupt_traffic: false is contradictory: every '
                                   'rollback interrupts traffic through the device')
        if self.on_failure == 'rollback' and not self.wait:
            raise CdfmcOptionError('on_failure: rollback needs wait: true (what failed is known only once the '
                                   'deployment has ended)')

    @classmethod
    def from_options(cls, options, warn=None):
        """The settings of cdfmc_deploy's options (an OptionAdapter); ``warn`` is told of unknown statuses."""
        request_timeout = options.connection().request_timeout
        mapper = StatusMapper(options['status_map'], warn=warn)
        wait_settings = WaitSettings.from_options(options, request_timeout, mapper).bounded()
        devices = check_devices(options['devices'])
        return cls(devices, wait_settings, **dict((name, options.get(name)) for name in cls.FIELDS))


class Deployment:
    """One cdfmc_deploy against one FMC: what to read and when, what to wait for, and when to ask.

    ``run`` (an ActionRun) gives the display, the warnings and the modes, ``settings`` are DeploySettings,
    ``client`` talks to FMC; every wait ends by ``deadline``.
    """

    def __init__(self, run, settings, client, deadline):
        self.run, self.settings, self.client, self.deadline = run, settings, client, deadline
        self._history = True  # FMC keeps a job history (before 6.7 it answers 404: deploying is read from the list)
        self._graced = False  # the list was read again after pending_grace (once per run)
        self.requested_ms = None  # when the request was sent (the wall clock, epoch ms)
        self.known_jobs = set()  # the ids of the jobs read last before the request

    def pause(self, seconds, what):
        """Sleep ``seconds``, not past the deadline; DeployFailed naming ``what`` when the deadline or a stop comes
        first."""
        problem = self._paused(seconds, what)
        if problem:
            raise DeployFailed(problem)

    def _paused(self, seconds, what):
        """Sleep ``seconds``, not past the deadline; None, or what cut the pause short."""
        if self.deadline.pause(seconds):
            return '%s while waiting for %s' % ('interrupted' if self.deadline.stopping else 'the timeout came', what)
        return None

    def named_devices(self):
        """The devices named (None: ``all``), resolved against every managed device, HA pair and cluster."""
        if self.settings.devices == ALL:
            return None
        devices, notes = select(managed_devices(self.client, self.deadline), self.settings.devices,
                                self.client.settings.server)
        for note in notes:
            self.run.warn(note)
        return devices

    def read_plan(self, devices):
        """What is pending for ``devices`` (None: every device with something to deploy), from the deployable list
        and the recent jobs."""
        items = read_deployable(self.client, self.deadline)
        # A deployment that ended this long ago at the most explains what the list still shows (list lag).
        lag_credit = max(LAG_CREDIT, self.settings.settle_timeout)
        return plan_of(items, devices, self._recent_jobs(), self.settings.force, now_ms(self.deadline.clock),
                       lag_credit)

    def _recent_jobs(self):
        if not self._history:
            return None
        history = read_jobs(self.client, self.deadline, self.settings.wait_settings.mapper, self.deadline.clock.now())
        self.known_jobs = set(job['id'] for job in history.jobs)
        if history.missing:
            self._history = False
            self.run.warn('%s: %s has no deployment job history (%s); whether a device is deploying is read from the '
                          'deployable list alone' % (NAME, self.client.settings.server, history.missing))
            return None
        return history.jobs

    def settled_plan(self, devices):
        """A plan once nothing selected is deploying: waits for other deployments (or refuses, with on_deploying:
        fail), then for the deployable list to catch up with them (at most pending_grace); and, when nothing is
        pending, reads the list once more after pending_grace (``_grace``). In check mode another deployment is not
        waited for: a warning names it."""
        rounds, seen, catch_up, warned = 0, {}, None, False
        while True:
            plan = self.read_plan(devices)
            if plan.deploying and self.run.check_mode and self.settings.on_deploying == 'wait':
                if not warned:
                    warned = True
                    self.run.warn('%s: another deployment is in progress for %s; once it ends, what is still pending '
                                  'would be deployed' % (NAME, names(plan.deploying)))
            elif plan.deploying:
                rounds += 1
                if rounds > MAX_ROUNDS:
                    raise DeployFailed('the devices were still being deployed by other deployments after %d rounds'
                                       % MAX_ROUNDS)
                # What the list shows for them while they deploy: once that is gone (or newer), it has caught up.
                seen.update((device['id'], listed_version(plan.listed.get(device['id']))) for device in plan.deploying)
                self.wait_for_others(plan.deploying)
                catch_up = self.deadline.unbounded().within(self.settings.pending_grace)  # not cut by the timeout
                continue
            if plan.behind(seen) and not catch_up.expired:
                self.pause(self.settings.poll_interval, 'the deployable list to catch up with the other deployment')
                continue
            if not (plan.targets or self._graced) and self._grace(plan):
                continue
            return plan

    def _grace(self, plan):
        """Nothing is pending: wait pending_grace (or half the time left, when that is less) to read the list again,
        since FMC lists a change seconds after it is made; False when that is off or there is no time for it."""
        if self.settings.pending_grace <= 0:
            return False
        self._graced = True
        grace = min(self.settings.pending_grace, self.deadline.left() / 2)
        if grace < MIN_GRACE:
            self.run.warn('%s: no time was left to read the deployable list again after pending_grace; a change made '
                          'just before may not be listed yet' % NAME)
            return False
        self.run.display.display('%s: nothing pending for %s; reading the list again in %.0f s (pending_grace), as FMC '
                                 'lists a change a few seconds after it is made'
                                 % (NAME, names(plan.selected) or 'any device', grace))
        self.pause(grace, 'the deployable list (pending_grace)')
        return True

    def wait_for_others(self, deploying):
        """Wait until none of ``deploying`` is being deployed (or refuse, with on_deploying: fail)."""
        if self.settings.on_deploying == 'fail':
            raise DeployFailed('another deployment is in progress for %s (on_deploying: fail); nothing was deployed'
                               % names(deploying))
        self.run.display.display('%s: another deployment is in progress for %s; waiting for it to end'
                                 % (NAME, names(deploying)))
        while True:
            self.pause(self.settings.poll_interval, 'the other deployment to %s to end' % names(deploying))
            if not self.read_plan(deploying).deploying:
                return

    def request(self, devices):
        """Plan, refuse what cannot go, and send one request: (plan, diff, RequestOutcome; None when nothing was
        sent). In diff mode, the diff is what is pending, read before the request. A request refused as in progress
        is sent again once the deployment in the way has ended (until the deadline)."""
        while True:
            plan = self.settled_plan(devices)
            diff = self.pending_diff(plan) if self.run.diff_mode and plan.targets else None
            if not plan.targets:
                return plan, diff, None
            refusal = plan.refusal(self.settings.interrupt_traffic)
            if refusal:
                raise DeployFailed(refusal)
            if self.settings.on_failure == 'rollback' and not self._history:
                raise DeployFailed('on_failure: rollback, but %s has no deployment job history, so no rollback (it '
                                   'needs FMC 6.7 or later, or cdFMC); nothing was deployed'
                                   % self.client.settings.server)
            if self.run.check_mode:
                return plan, diff, None
            outcome = self._send(plan)
            if outcome.kind == ACCEPTED:
                return plan, diff, outcome
            if outcome.kind != IN_PROGRESS:
                raise DeployFailed(outcome.message)
            self._after_in_progress(plan)

    def _send(self, plan):
        settings = self.settings
        body = request_body(plan, settings.force, settings.ignore_warnings, settings.note)
        self.run.display.display('%s: deploying to %s (version %s)' % (NAME, names(plan.targets), body['version']))
        self.requested_ms = now_ms(self.deadline.clock)
        answer = request_deployment(self.client, body, self.deadline)
        return request_outcome(answer.task_id, answer.error, plan.targets)

    def _after_in_progress(self, plan):
        """FMC refused the request as in progress: wait for the deployment in the way. FMC's text does not name the
        device: the reads may; when they do not (yet), wait a grace."""
        deploying = self.read_plan(plan.targets).deploying
        if deploying:
            self.wait_for_others(deploying)
            return
        grace = max(self.settings.pending_grace, 1)
        self.run.display.display('%s: FMC says a deployment is in progress for %s; trying again in %.0f s'
                                 % (NAME, names(plan.targets), grace))
        self.pause(grace, 'the deployment in progress to end')

    def pending_diff(self, plan):
        """The diff of check and diff mode: per device, its pending policies and, where FMC offers them, each entity
        a change adds, updates or deletes, with its fields before and after (secret-looking values masked)."""
        diffs = []
        for device in plan.targets:
            try:
                changes = read_pending_changes(self.client, device['id'], self.deadline)
            except (CdfmcRequestError, CdfmcOptionError) as exc:
                # Not every FMC offers pending changes: the policies are the diff then.
                changes = []
                self.run.display.vvv('%s: pending changes of %s not read, the diff shows its policies: %s'
                                     % (NAME, names([device]), exc))
            diffs.append(device_diff(device, plan.listed.get(device['id'], {}), changes))
        return diffs

    def requested(self, devices):
        """The request, under the lock of this host's forks (none in check mode, which sends nothing):
        (plan, diff, RequestOutcome or None). A host that finds nothing left that another host has just deployed in
        the same task of its play is told to give the task run_once."""
        if self.run.check_mode:
            return self.request(devices)
        with deploy_lock(self.client, self.deadline, self.run.warn, self.run.caller) as play:
            plan, diff, outcome = self.request(devices)
            if outcome is not None and outcome.task_id is not None:
                play.deployed(plan.targets)
        neighbours = play.by_another_host(plan.up_to_date) if outcome is None else []
        if neighbours:
            self.run.warn('%s: another host of this play deployed %s a moment ago in this same task; a deployment runs '
                          'once per play: give the task run_once: true (and list every device in it)'
                          % (NAME, names(neighbours)))
        return plan, diff, outcome

    def wait(self, task_id):
        """Wait for the deployment's task, from now (the request) until the deadline: the summary of the wait."""
        return wait_for_task(self.run.display, NAME, self.client, task_id, self.settings.wait_settings, self.deadline,
                             self.settings.detailed_device_status)

    def settle(self, plan, task):
        """Wait (at most settle_timeout) until the devices whose deployment succeeded leave the deployable list, or
        it lists a newer version of them. Never fails: a warning says when the list did not catch up, or could not be
        read."""
        deployed = deployed_versions(plan, task)
        until = self.deadline.within(self.settings.settle_timeout)
        problem = None
        try:
            while deployed and not problem:
                deployed = still_listed(deployed, read_deployable(self.client, self.deadline))
                if deployed and until.left() < self.settings.poll_interval:
                    self.run.warn('%s: the deployable list still listed %s when %s came; a second run may deploy them '
                                  'again' % (NAME, names(device for device in plan.targets if device['id'] in deployed),
                                             'the timeout' if until.at == self.deadline.at else
                                             'settle_timeout (%d s)' % self.settings.settle_timeout))
                    return
                if deployed:
                    problem = self._paused(self.settings.poll_interval, 'the deployable list to catch up')
        except CdfmcError as exc:
            problem = str(exc)
        if problem:
            self.run.warn('%s: the deployment ended, but whether the deployable list caught up with it is not known '
                          '(%s); a second run may deploy again' % (NAME, problem))


def deploy(run):
    """The result of cdfmc_deploy for its ActionRun, as the README tells it: the devices named are resolved; under
    the lock of this host's forks, what is pending on them is read once no other deployment is deploying them and the
    list has caught up (and once more after pending_grace when nothing is), what cannot go is refused, and one
    request is sent; its task is waited for; then the list, so that a second run finds nothing to do."""
    settings = DeploySettings.from_options(run.options, run.warn)
    client = run.client()
    deadline = run.deadline.from_start(settings.timeout)  # one timeout for everything
    client.resolve_domain(deadline)
    deployment = Deployment(run, settings, client, deadline)
    plan, diff, outcome = deployment.requested(deployment.named_devices())
    if outcome is not None and outcome.task_id is None:
        # FMC accepted the request, but named no task to wait on: a change, and a failure to say so.
        return {'changed': True, 'failed': True, 'msg': outcome.message}
    result = {'up_to_date': [dict((key, device[key]) for key in ('name', 'id', 'type')) for device in plan.up_to_date]}
    if diff:
        result['diff'] = diff
    if outcome is None:
        result.update(changed=bool(run.check_mode and plan.targets), msg=nothing_sent_message(plan, run.check_mode),
                      deployed=device_reports(plan, None, plan.version()) if run.check_mode else [])
        return result
    result.update(changed=True, **_waited(deployment, plan, outcome.task_id))
    return result


def _waited(deployment, plan, task_id):
    """``task``, ``deployed``, ``failed`` and ``msg`` once the request was accepted: at once with wait: false, else
    once its task has ended (and the list has caught up with it) or the deadline has come."""
    settings = deployment.settings
    if not settings.wait:
        task = unread_task_facts(task_id, settings.wait_settings.mapper, settings.wait_settings.include_raw)
        return {'task': task, 'deployed': device_reports(plan, None, plan.version()),
                'msg': 'deployment to %s requested: task %s (wait: false)' % (names(plan.targets), task_id)}
    waited = deployment.wait(task_id)
    task = waited['tasks'][0]
    if task['terminal']:
        deployment.settle(plan, task)
    result = {'task': task, 'deployed': device_reports(plan, task, plan.version()), 'failed': waited['failed'],
              'msg': outcome_message(plan, task, waited)}
    if settings.on_failure == 'rollback' and task['terminal'] and task['state'] != SUCCEEDED:
        rollback = Rollback(deployment.run, settings.wait_settings, deployment.client,
                            undo_deadline(deployment.deadline))
        found, message = undo_deployment(rollback, changed_devices(plan, task),
                                         (deployment.requested_ms, deployment.known_jobs), settings.settle_timeout)
        for report in result['deployed']:
            report['rollback'] = found.get(report['id'])
        result['msg'] = '%s; %s' % (result['msg'], message)
    return result
