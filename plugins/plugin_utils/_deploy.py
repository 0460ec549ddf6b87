# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""cdfmc_deploy, put together: deploy what is pending on the devices named, wait for each device's result, and
wait for the deployable list to catch up, so that a second run finds nothing to do.

One deadline (``timeout`` from the start of the task) covers waiting for another deployment, the request, the
wait and the settling. Deployments from the forks of one host to one server are serialised by a lock file
(held from the first read of what is pending until FMC has accepted the request).

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It is controller-only; it talks HTTP through the client and starts the
poll threads of the wait.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import hashlib
import json
import os
import re

from ansible_collections.cisco.cdfmc.plugins.module_utils._client import connect
from ansible_collections.cisco.cdfmc.plugins.module_utils._connection import connection_argument_spec, validate_identifier
from ansible_collections.cisco.cdfmc.plugins.module_utils._display import escaped, shown
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcError, CdfmcOptionError, CdfmcRequestError
from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import (
    FAILED,
    SUCCEEDED,
    StatusMapper,
    task_facts_argument_spec,
)
from ansible_collections.cisco.cdfmc.plugins.module_utils._retry import may_have_arrived
from ansible_collections.cisco.cdfmc.plugins.module_utils._statefile import (
    SharedFileUnavailable,
    locked,
    private_directory,
    read_state,
    write_state,
)
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._devices import ALL, check_devices, managed_units, select, unit_type
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._jobs import (
    deployed_since,
    deploying_units,
    epoch_ms,
    now_ms,
    read_job,
    recent,
    window_filter,
)
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._task_wait import ProgressDisplay, poll_until_done
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._wait import WaitSettings, summarize, task_problem, unread_task_facts

DEPLOYABLE_PATH = '/deployment/deployabledevices'
JOBS_PATH = '/deployment/jobhistories'
REQUEST_PATH = '/deployment/deploymentrequests'
# Jobs of the last hours, whatever their end: the list may still show what a deployment that succeeded deployed
# (it lags by seconds), and a job still deploying blocks its devices.
RECENT = 6 * 3600
# FMC's words for a refusal because a device is deploying, and for one because of warnings.
IN_PROGRESS = 'deployment is in progress'
WARNINGS = 'errors or warnings present'
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
        interrupt_traffic=dict(type='bool', default=True),
        pending_grace=dict(type='int', default=10),
        settle_timeout=dict(type='int', default=60),
        wait=dict(type='bool', default=True),
        timeout=dict(type='int', default=1800),
        poll_interval=dict(type='float', default=5.0),
        max_poll_interval=dict(type='float', default=30.0),
        not_found_grace=dict(type='int', default=60),
        fail_on_failure=dict(type='bool', default=True),
    )
    return spec


class DeployFailed(CdfmcError):
    """No deployment was made: the options say not to, FMC refused the request, or the time ran out."""

    changed = False


class DeployAccepted(DeployFailed):
    """FMC accepted the deployment request (HTTP 2xx), but its answer names no task that can be waited on."""

    changed = True


class Run:
    """What one cdfmc_deploy run knows: its client, options, deadline, and what it tells the user."""

    def __init__(self, client, options, display, deadline, check_mode, diff_mode, warnings=None, mapper=None):
        self.client, self.options, self.display = client, options, display
        self.deadline, self.check_mode, self.diff_mode = deadline, check_mode, diff_mode
        self.warnings = [] if warnings is None else warnings
        self.mapper = mapper or StatusMapper(None, warn=self.warnings.append)
        self.without_history = False  # job history answered 404 (FMC before 6.7): deploy from isDeploying alone
        self.server = client.settings.server
        self.graced = False  # the list was read again after pending_grace
        self.diff = None  # in diff mode, what is pending per device (read before the request)

    def left(self):
        return self.deadline.left()

    def pause(self, seconds, what):
        """Sleep ``seconds``, not past the deadline (DeployFailed naming ``what`` when it comes first)."""
        if self.deadline.expired or self.deadline.sleep(seconds) or self.deadline.expired:
            why = 'interrupted' if self.deadline.stopping else 'the timeout came'
            raise DeployFailed('%s while waiting for %s' % (why, what))


class Plan:
    """One read of what is pending: the units selected, what FMC lists for them, and what stands in the way.

    A unit listed at a version older than the start of a deployment that succeeded on it counts as up to date: the
    list has not caught up with it yet (``deployed``: unit id -> start of that deployment, epoch ms).
    """

    def __init__(self, selected, listed, deploying, force, deployed=None, read_at_ms=None):
        listed = dict((unit_id, item) for unit_id, item in listed.items()
                      if _version(item) == 0 or _version(item) > (deployed or {}).get(unit_id, 0))
        self.selected, self.listed, self.deploying = selected, listed, deploying
        self.targets = list(selected) if force else [unit for unit in selected if unit['id'] in listed]
        self.up_to_date = [unit for unit in selected if unit not in self.targets]
        self.blocked = [(unit, listed[unit['id']].get('message')) for unit in self.targets
                        if listed.get(unit['id'], {}).get('canBeDeployed') is False and unit not in deploying]
        self.read_at_ms = str(read_at_ms if read_at_ms is not None else now_ms())

    def version(self):
        """The newest listed version of the targets; the time of this read (epoch ms) when a target is not listed."""
        listed = [str(self.listed[unit['id']].get('version') or '') for unit in self.targets if unit['id'] in self.listed]
        if len(listed) < len(self.targets) or not all(version.isdigit() for version in listed):
            return self.read_at_ms
        return max(listed, key=int)


def _unit_of(item):
    """The device, HA pair or cluster of a deployable list item (with the members FMC lists for it)."""
    device = item.get('device') if isinstance(item.get('device'), dict) else {}
    members = [{'id': str(member['id']), 'name': str(member.get('name') or member['id']), 'type': unit_type(None)}
               for member in item.get('deviceMembers') or []
               if isinstance(member, dict) and member.get('id') and str(member['id']) != str(device.get('id'))]
    return {'id': str(device.get('id') or ''), 'name': str(device.get('name') or item.get('name') or device.get('id')),
            'type': unit_type(device.get('type')), 'members': members}


def read_plan(run, units):
    """What is pending for the units selected (``units``; None: every unit with something to deploy)."""
    client = run.client
    items = [item for item in client.all_items(client.config_path(DEPLOYABLE_PATH), run.deadline,
                                               params={'expanded': 'true'}) if _unit_of(item)['id']]
    listed = dict((_unit_of(item)['id'], item) for item in items)
    selected = [_unit_of(item) for item in items] if units is None else units
    jobs = read_jobs(run)
    busy = deploying_units(jobs)
    deploying = [unit for unit in selected if listed.get(unit['id'], {}).get('isDeploying') is True or
                 unit['id'] in busy or any(member['id'] in busy for member in unit['members'])]
    return Plan(selected, listed, deploying, run.options['force'], deployed_since(jobs), now_ms(run.deadline.clock))


def read_jobs(run):
    """The deployment and rollback jobs that started in the last RECENT seconds, read as FMC writes them. An FMC
    without job history (before 6.7: 404) has none: one warning, and what is deploying is read from the list alone."""
    if run.without_history:
        return []
    now = run.deadline.clock.now()
    try:
        items = run.client.all_items(run.client.config_path(JOBS_PATH), run.deadline, params={
            'filter': window_filter(now - RECENT, now + RECENT), 'expanded': 'true'})
    except CdfmcRequestError as exc:
        if exc.status != 404:
            raise
        run.without_history = True
        run.warnings.append('%s: %s has no deployment job history (%s); whether a device is deploying is read from '
                            'the deployable list alone' % (NAME, run.server, exc))
        return []
    return recent([read_job(item, run.mapper) for item in items], (now - RECENT) * 1000)


def _names(units):
    return ', '.join(shown(unit['name']) for unit in units)


def settled_plan(run, units):
    """A plan once nothing selected is deploying: waits for other deployments (or refuses, with on_deploying:
    fail), then for the deployable list to catch up with them (at most pending_grace); and, when nothing is
    pending, reads the list once more after pending_grace (or half the time left, when that is less). In check
    mode another deployment is not waited for: a warning names it."""
    rounds, seen, catch_up_until = 0, {}, None
    while True:
        plan = read_plan(run, units)
        if plan.deploying and run.check_mode and run.options['on_deploying'] == 'wait':
            warning = ('%s: another deployment is in progress for %s; once it ends, what is still pending would be '
                       'deployed' % (NAME, _names(plan.deploying)))
            if warning not in run.warnings:
                run.warnings.append(warning)
        elif plan.deploying:
            rounds += 1
            if rounds > MAX_ROUNDS:
                raise DeployFailed('the devices were still being deployed by other deployments after %d rounds'
                                   % MAX_ROUNDS)
            # What the list shows for them while they deploy: once that is gone (or newer), it has caught up.
            seen.update((unit['id'], _version(plan.listed.get(unit['id']))) for unit in plan.deploying)
            wait_for_others(run, plan.deploying)
            catch_up_until = run.deadline.clock.monotonic() + run.options['pending_grace']
            continue
        behind = [unit for unit in plan.targets if unit['id'] in seen and _version(plan.listed.get(unit['id'])) <= seen[
            unit['id']]]
        if behind and run.deadline.clock.monotonic() < catch_up_until:
            run.pause(run.options['poll_interval'], 'the deployable list to catch up with the other deployment')
            continue
        if not plan.targets and run.options['pending_grace'] > 0 and not run.graced:
            # The list lags a change by seconds: a change made just before this task may not be listed yet.
            run.graced = True
            grace = min(run.options['pending_grace'], run.left() / 2)
            if grace >= MIN_GRACE:
                run.display.display('%s: nothing pending for %s; reading the list again in %.0f s (pending_grace), '
                                    'as FMC lists a change a few seconds after it is made'
                                    % (NAME, _names(plan.selected) or 'any device', grace))
                run.pause(grace, 'the deployable list (pending_grace)')
                continue
            run.warnings.append('%s: no time was left to read the deployable list again after pending_grace; a '
                                'change made just before may not be listed yet' % NAME)
        return plan


def _version(item):
    """The version a deployable list item shows, as epoch ms (0 when it has none)."""
    return epoch_ms((item or {}).get('version')) or 0


def wait_for_others(run, deploying):
    """Wait until none of ``deploying`` is being deployed (or refuse, with on_deploying: fail)."""
    if run.options['on_deploying'] == 'fail':
        raise DeployFailed('another deployment is in progress for %s (on_deploying: fail); nothing was deployed'
                           % _names(deploying))
    run.display.display('%s: another deployment is in progress for %s; waiting for it to end' % (NAME, _names(deploying)))
    while True:
        run.pause(run.options['poll_interval'], 'the other deployment to %s to end' % _names(deploying))
        plan = read_plan(run, deploying)
        if not plan.deploying:
            return


def refuse_what_cannot_go(run, plan):
    """Refuse before the request: devices FMC cannot deploy, and (interrupt_traffic: false) those that would
    interrupt traffic."""
    if plan.blocked:
        raise DeployFailed('FMC cannot deploy %s: %s; nothing was deployed' % (
            _names(unit for unit, _message in plan.blocked),
            '; '.join('%s: %s' % (shown(unit['name']), shown(message or 'canBeDeployed is false'))
                      for unit, message in plan.blocked)))
    if not run.options['interrupt_traffic']:
        heavy = [unit for unit in plan.targets
                 if str(plan.listed.get(unit['id'], {}).get('trafficInterruption', '')).upper() == 'YES']
        if heavy:
            raise DeployFailed('deploying to %s would interrupt traffic (trafficInterruption: YES) and '
                               'interrupt_traffic is false; nothing was deployed' % _names(heavy))


def send(run, plan):
    """The deployment request for the plan's targets; the task id FMC returns (DeployFailed, or a signal that a
    device is deploying: InProgress)."""
    options = run.options
    body = {'type': 'DeploymentRequest', 'version': plan.version(), 'forceDeploy': options['force'],
            'ignoreWarning': options['ignore_warnings'], 'deviceList': [unit['id'] for unit in plan.targets]}
    if options.get('note'):
        body['deploymentNote'] = options['note']
    run.display.display('%s: deploying to %s (version %s)' % (NAME, _names(plan.targets), body['version']))
    try:
        answer = run.client.request('POST', run.client.config_path(REQUEST_PATH), json_body=body,
                                    deadline=run.deadline).body
    except CdfmcRequestError as exc:
        raise _refusal(exc)
    task = ((answer or {}).get('metadata') or {}).get('task') if isinstance(answer, dict) else None
    task_id = task.get('id') if isinstance(task, dict) else None
    try:
        return validate_identifier(str(task_id) if task_id is not None else None, 'the task id of the deployment')
    except CdfmcOptionError:
        raise DeployAccepted('FMC accepted the deployment request to %s but named no usable task (metadata.task.id) '
                             'to wait on: look at its deployment history' % _names(plan.targets))


class InProgress(DeployFailed):
    """FMC refused the request: a deployment is in progress for one of the devices."""


def _refusal(error):
    """What a failed deployment request means for the user: refused (InProgress, DeployFailed), accepted with an
    answer that cannot be used (DeployAccepted), or unknown (DeployFailed saying a deployment may have started)."""
    detail = (error.detail or '').lower()
    if IN_PROGRESS in detail or IN_PROGRESS in str(error).lower():
        return InProgress(str(error))
    if WARNINGS in detail:
        return DeployFailed('FMC refused the deployment for warnings in the committed policies: %s. Set '
                            'ignore_warnings: true to deploy anyway' % shown(error.detail))
    if error.status is not None and 200 <= error.status < 300:
        return DeployAccepted('%s; FMC accepted the deployment request, so a deployment has started: look at its '
                              'deployment history before running this again' % error)
    if may_have_arrived(error):
        return DeployFailed('%s; the request may have reached FMC, so a deployment may have started: look at its '
                            'deployment history before running this again' % error)
    return DeployFailed(str(error))


def request_deployment(run, units):
    """Plan, refuse what cannot go, and send one request; (plan, task id or None when nothing was sent). In diff
    mode, ``run.diff`` is what is pending, read before the request. A request refused as in progress is sent
    again once the deployment in the way has ended (until the deadline)."""
    while True:
        plan = settled_plan(run, units)
        run.diff = pending_diff(run, plan) if run.diff_mode and plan.targets else None
        if not plan.targets:
            return plan, None
        refuse_what_cannot_go(run, plan)
        if run.check_mode:
            return plan, None
        try:
            return plan, send(run, plan)
        except InProgress:
            # FMC's text does not name the device: the reads may; when they do not (yet), wait a grace.
            deploying = read_plan(run, plan.targets).deploying
            if deploying:
                wait_for_others(run, deploying)
            else:
                run.display.display('%s: FMC says a deployment is in progress for %s; trying again in %.0f s'
                                    % (NAME, _names(plan.targets), max(run.options['pending_grace'], 1)))
                run.pause(max(run.options['pending_grace'], 1), 'the deployment in progress to end')


def settle(run, plan, task):
    """Wait (at most settle_timeout) until the devices whose deployment succeeded leave the deployable list, or it
    lists a newer version of them. Never fails: a warning says when the list did not catch up, or could not be read."""
    by_unit = unit_sub_tasks(plan, task)
    deployed = dict((unit['id'], _version({'version': plan.version()})) for unit in plan.targets
                    if by_unit.get(unit['id'], task)['state'] == SUCCEEDED)
    until = run.deadline.within(run.options['settle_timeout'])
    try:
        while deployed:
            items = run.client.all_items(run.client.config_path(DEPLOYABLE_PATH), run.deadline,
                                         params={'expanded': 'true'})
            versions = dict((_unit_of(item)['id'], _version(item)) for item in items)
            deployed = dict((unit_id, version) for unit_id, version in deployed.items()
                            if unit_id in versions and versions[unit_id] <= version)
            if deployed and until.left() < run.options['poll_interval']:
                run.warnings.append('%s: the deployable list still listed %s when %s came; a second run may deploy '
                                    'them again' % (NAME, _names(unit for unit in plan.targets if unit['id'] in deployed),
                                                    'the timeout' if until.at == run.deadline.at else
                                                    'settle_timeout (%d s)' % run.options['settle_timeout']))
                return
            if deployed:
                run.pause(run.options['poll_interval'], 'the deployable list to catch up')
    except CdfmcError as exc:
        run.warnings.append('%s: the deployment ended, but whether the deployable list caught up with it is not known '
                            '(%s); a second run may deploy again' % (NAME, exc))


class PlayRecord:
    """What the forks of one ansible-playbook run deployed to one server (a small file beside the deploy lock, read
    and written under it): so that a host that finds nothing left to deploy can say that another host of its play
    deployed it, and name run_once."""

    def __init__(self, path, clock):
        self.path, self._clock = path, clock
        state, _problem = read_state(path)
        self.state = state if isinstance(state, dict) and isinstance(state.get('units'), list) else {}

    def deployed(self, units):
        """Record that this fork's play deployed ``units`` (never fails: the record only serves a hint)."""
        try:
            write_state(self.path, json.dumps({'play': os.getppid(), 'at': self._clock.now(),
                                               'units': [unit['id'] for unit in units]}))
        except SharedFileUnavailable:
            pass

    def by_this_play(self, units):
        """The units of ``units`` that another fork of this play deployed in the last hour."""
        if self.state.get('play') != os.getppid() or not isinstance(self.state.get('at'), (int, float)) or \
                self._clock.now() - self.state['at'] > RECENT / 6:
            return []
        return [unit for unit in units if unit['id'] in self.state['units']]


@contextlib.contextmanager
def deploy_lock(run):
    """Hold the lock that serialises the deployments of this host's forks to one server (waited for until the
    deadline: its holder may be waiting for a deployment to end); yield the PlayRecord read under it. A lock file
    that cannot be used: a warning, and no serialising."""
    key = hashlib.sha256(('%s%s' % (run.server, run.client.config_path(''))).encode('utf-8')).hexdigest()[:32]
    path = os.path.join(private_directory(), '%s.deploy.lock' % key)
    held = contextlib.ExitStack()
    try:
        held.enter_context(locked(path, run.deadline, patience=run.left()))
    except SharedFileUnavailable as exc:
        if run.left() <= 0:
            raise DeployFailed('the timeout came while another fork of this host was requesting a deployment from %s '
                               '(%s)' % (run.server, exc))
        run.warnings.append('cisco.cdfmc: the deployment lock cannot be used (%s); this deployment is not serialised '
                            'with the other forks of this host' % exc)
    with held:
        yield PlayRecord(os.path.join(private_directory(), '%s.deploy.play' % key), run.deadline.clock)


def _out_of_date(entries):
    """The policies of a ``policyStatusList`` (or ``referredPolicyList``) that are not up to date, each by its name,
    else by its type; referred policies after the policy that refers to them."""
    found = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        policy = entry.get('policy') if isinstance(entry.get('policy'), dict) else {}
        if str(entry.get('upToDate')).lower() == 'false' and (policy.get('name') or policy.get('type')):
            found.append(str(policy.get('name') or policy.get('type')))
        found.extend(_out_of_date(entry.get('referredPolicyList')))
    return found


def _policies(item):
    """The pending policies of a deployable list item: FMC lists every policy, up to date or not."""
    found = []
    for name in _out_of_date(item.get('policyStatusList')):
        if name not in found:
            found.append(name)
    return found


def unit_sub_tasks(plan, task):
    """Each target's sub-task in the task facts: its own, or one of its members' when FMC names the members of an HA
    pair or cluster (one that did not succeed first). A target without one is left out."""
    subs = {}
    for sub in (task or {}).get('sub_tasks') or []:
        subs.setdefault(sub['target_id'], []).append(sub)
    found = {}
    for unit in plan.targets:
        mine = [sub for key in [unit['id']] + [member['id'] for member in unit['members']] for sub in subs.get(key, [])]
        if mine:
            found[unit['id']] = next((sub for sub in mine if sub['state'] != SUCCEEDED), mine[0])
    return found


def device_reports(plan, task, version):
    """``deployed``: per device deployed (or, in check mode, to deploy), its name, id, type, version, pending
    policies, traffic interruption, state and message (from its sub-task; else the task's once it has ended or
    when it has no sub-tasks; else ``pending``)."""
    by_unit = unit_sub_tasks(plan, task)
    whole = task if task and (task['terminal'] or not task['sub_tasks']) else {'state': 'pending', 'message': None}
    reports = []
    for unit in plan.targets:
        item = plan.listed.get(unit['id'], {})
        sub = by_unit.get(unit['id']) or whole
        reports.append({'name': unit['name'], 'id': unit['id'], 'type': unit['type'],
                        'version': str(item.get('version') or version), 'policies': _policies(item),
                        'traffic_interruption': item.get('trafficInterruption'), 'state': sub['state'],
                        'message': sub.get('message')})
    return reports


def pending_diff(run, plan):
    """The diff of check and diff mode: per device, its pending policies and, where FMC offers them, each entity
    a change adds, updates or deletes, with its fields before and after (secret-looking values masked)."""
    diffs = []
    for unit in plan.targets:
        before, after = [], ['policy %s: pending' % shown(name) for name in _policies(plan.listed.get(unit['id'], {}))]
        try:
            path = run.client.config_path('%s/%s/pendingchanges' % (DEPLOYABLE_PATH, validate_identifier(
                unit['id'], 'device id')))
            for change in run.client.all_items(path, run.deadline, params={'expanded': 'true'}):
                old, new = change_lines(change)
                before.extend(old)
                after.extend(new)
        except (CdfmcRequestError, CdfmcOptionError) as exc:
            # Not every FMC offers pending changes: the policies are the diff then.
            run.display.vvv('%s: pending changes of %s not read, the diff shows its policies: %s'
                            % (NAME, shown(unit['name']), exc))
        diffs.append({'before_header': '%s (deployed)' % shown(unit['name']),
                      'after_header': '%s (pending)' % shown(unit['name']),
                      'before': ''.join(line + '\n' for line in before), 'after': ''.join(line + '\n' for line in after)})
    return diffs


# Field names whose values a diff never shows (FMC returns an HA pair's sharedKey in clear, for one).
SECRET_FIELD = re.compile(r'pass|secret|key|token|community|psk|credential|auth', re.IGNORECASE)
MASK = '********'


def _value(field, value):
    if SECRET_FIELD.search(str(field or '')):
        return MASK
    return shown(value if isinstance(value, str) else json.dumps(value, sort_keys=True))


def change_lines(change):
    """(before, after): the lines of one pending change (an item of pendingchanges) on each side of the diff. The
    entity's line stands on the side(s) it exists on; a field shows its old value before, its new value after."""
    action = str(change.get('action') or 'update').upper()
    title = '  %s %s %s' % (shown(action), shown(change.get('entityType') or ''), shown(change.get('entityName') or ''))
    before, after = [title] if action != 'ADD' else [], [title] if action != 'DELETE' else []
    for key, old_key, new_key in (('valueUpdated', 'oldValue', 'newValue'), ('valueAdded', None, 'newValue'),
                                  ('valueDeleted', 'oldValue', None)):
        for value in _entries(change.get(key)):
            field = value.get('fieldName')
            for side, side_key in ((before, old_key), (after, new_key)):
                if side_key:
                    side.append('    %s: %s' % (shown(field or ''), _value(field, value.get(side_key))))
    for key, side in (('referencesDeleted', before), ('referencesAdded', after)):
        for reference in _entries(change.get(key)):
            side.append('    %s -> %s %s' % tuple(shown(reference.get(name) or '') for name in (
                'fieldName', 'entityType', 'entityName')))
    if change.get('message'):
        after.append('    (%s)' % shown(change['message']))
    return before, after


def _entries(values):
    return [value for value in values if isinstance(value, dict)] if isinstance(values, list) else []


def deploy(options, display, deadline, check_mode=False, diff_mode=False):
    """The result of cdfmc_deploy for its options (an OptionAdapter); ``deadline`` (a Deadline, unbounded) started
    when the action began, with the run's stop."""
    result = {'changed': False, 'invocation': options.invocation(), 'deployed': [], 'up_to_date': [], 'task': None,
              'requests': 0}
    warnings = []
    try:
        _deploy(options, display, check_mode, diff_mode, deadline, warnings, result)
    except CdfmcError as exc:
        result.update(failed=True, msg=str(exc), changed=result['changed'] or getattr(exc, 'changed', False))
    result['elapsed'] = round(deadline.elapsed(), 3)
    result['msg'] = escaped(result['msg'])
    if warnings:
        result['warnings'] = [escaped(warning) for warning in warnings]
    return result


def _deploy(options, display, check_mode, diff_mode, deadline, warnings, result):
    settings = options.connection()
    mapper = StatusMapper(options['status_map'], warn=warnings.append)
    wait_settings = WaitSettings.from_options(options, settings.request_timeout, mapper)
    wanted = check_devices(options['devices'])
    for name in ('pending_grace', 'settle_timeout'):
        if options[name] < 0:
            raise CdfmcOptionError('%s must be 0 or a positive number of seconds, got %r' % (name, options[name]))
    if options['timeout'] <= 0:
        raise CdfmcOptionError('timeout must be a positive number of seconds, got %r' % (options['timeout'],))
    with connect(settings, warn=warnings.append, log=display.vvvv, notice=display.display,
                 clock=deadline.clock) as client:
        try:
            # One timeout for everything (positive, checked above).
            deadline = deadline.from_start(wait_settings.timeout)
            client.resolve_domain(deadline)
            run = Run(client, options, display, deadline, check_mode, diff_mode, warnings, mapper)
            units = None
            if wanted != ALL:
                units, notes = select(managed_units(client, deadline), wanted, settings.server)
                warnings.extend(notes)
            _request_and_wait(run, units, mapper, wait_settings, result)
        finally:
            result['requests'] = client.request_count


def _request_and_wait(run, units, mapper, wait_settings, result):
    options = run.options
    if run.check_mode:
        plan, task_id = request_deployment(run, units)
    else:
        with deploy_lock(run) as play:
            plan, task_id = request_deployment(run, units)
            if task_id is not None:
                play.deployed(plan.targets)
        neighbours = play.by_this_play(plan.up_to_date) if task_id is None else []
        if neighbours:
            run.warnings.append('%s: another host of this play deployed %s a moment ago; a deployment runs once per '
                                'play: give the task run_once: true (and list every device in it)'
                                % (NAME, _names(neighbours)))
    result['up_to_date'] = [dict((key, unit[key]) for key in ('name', 'id', 'type')) for unit in plan.up_to_date]
    if run.diff:
        result['diff'] = run.diff
    if task_id is None:
        result['deployed'] = device_reports(plan, None, plan.version()) if run.check_mode else []
        result['changed'] = bool(run.check_mode and plan.targets)
        result['msg'] = ('check mode: would deploy to %s' % _names(plan.targets) if result['changed'] else
                         'nothing to deploy: %s' % ('%s up to date' % _names(plan.up_to_date) if plan.up_to_date
                                                    else 'no device has pending changes'))
        return
    result['changed'] = True
    version = plan.version()
    task = unread_task_facts(task_id, mapper, options['include_raw'])
    if not options['wait']:
        result.update(task=task, deployed=device_reports(plan, None, version),
                      msg='deployment to %s requested: task %s (wait: false)' % (_names(plan.targets), task_id))
        return
    # The wait (and its not_found_grace) counts from the request, and ends by the one deadline.
    outcome = poll_until_done(run.client, [task_id], wait_settings,
                              ProgressDisplay(run.display, NAME, run.deadline.clock), run.deadline.restarted(),
                              options['detailed_device_status'])
    waited = summarize(outcome, [task_id], wait_settings.include_raw, mapper, options['fail_on_failure'],
                       options['timeout'])  # "timed out after" the task's timeout, which the wait ended by
    task = waited['tasks'][0]
    result.update(task=task, deployed=device_reports(plan, task, version), failed=waited['failed'],
                  msg=_outcome_message(plan, task, waited))
    if task['terminal']:
        settle(run, plan, task)


def _outcome_message(plan, task, waited):
    """``msg`` once the wait ended: what failed, with a hint when FMC's messages speak of warnings."""
    if not waited['failed'] and task['state'] == SUCCEEDED:
        return 'deployed to %s in %.1fs' % (_names(plan.targets), task['elapsed'])
    texts = [task.get('message') or ''] + [sub.get('message') or '' for sub in task['sub_tasks']
                                           if sub['state'] == FAILED]
    hint = '. Set ignore_warnings: true to deploy anyway' if any('warning' in text.lower() for text in texts) else ''
    return 'the deployment to %s did not succeed: %s%s' % (_names(plan.targets), task_problem(task) or waited['msg'],
                                                           hint)
