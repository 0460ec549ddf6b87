# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""cdfmc_deploy's plan, from what FMC lists: what is pending on which device and at which version, what stands in
the way, what FMC's answer to the request means, each device's report, and the diff.

A "device" here is what a deployment's ``deviceList`` names and FMC's deployable list shows: a standalone device,
an HA pair or a cluster (with its members).

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It is controller-only, and does no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import json

from ansible_collections.cisco.cdfmc.plugins.module_utils._urls import validate_identifier
from ansible_collections.cisco.cdfmc.plugins.module_utils._display import mask_secret_fields, shown
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError
from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import FAILED, SUCCEEDED, flag, is_partial_success
from ansible_collections.cisco.cdfmc.plugins.module_utils._retry import may_have_arrived
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._devices import record_type
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._jobs import deployed_since, deploying_devices, epoch_ms
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._wait import task_problem

# FMC's words for a refusal because a device is deploying, and for one because of warnings.
IN_PROGRESS_WORDS = 'deployment is in progress'
WARNINGS_WORDS = 'errors or warnings present'
# What a deployment that succeeded deployed, the deployable list may still show for seconds after it ended: a job
# that ended this long ago at the most (or settle_timeout, when longer) tells list lag from a change still pending.
LAG_CREDIT = 120


def names(devices):
    """The devices' names, for a message (escaped: they come from FMC)."""
    return ', '.join(shown(device['name']) for device in devices)


def device_of(item):
    """The device, HA pair or cluster of a deployable list item (with the members FMC lists for it)."""
    device = item.get('device') if isinstance(item.get('device'), dict) else {}
    members = [{'id': str(member['id']), 'name': str(member.get('name') or member['id']), 'type': record_type(None)}
               for member in item.get('deviceMembers') or []
               if isinstance(member, dict) and member.get('id') and str(member['id']) != str(device.get('id'))]
    return {'id': str(device.get('id') or ''), 'name': str(device.get('name') or item.get('name') or device.get('id')),
            'type': record_type(device.get('type')), 'members': members}


def listed_version(item):
    """The version a deployable list item shows, as epoch ms (0 when it has none)."""
    return epoch_ms((item or {}).get('version')) or 0


class Plan:
    """One read of what is pending: the devices selected, what FMC lists for them, and what stands in the way.

    A device listed at a version older than the start of a deployment that succeeded on it counts as up to date:
    the list has not caught up with it yet (``deployed``: device id -> start of that deployment, epoch ms).
    ``read_at_ms`` is when the list was read (the version of a request for a device that is not listed).
    """

    def __init__(self, selected, listed, deploying, force, deployed=None, read_at_ms=0):
        listed = dict((device_id, item) for device_id, item in listed.items()
                      if listed_version(item) == 0 or listed_version(item) > (deployed or {}).get(device_id, 0))
        self.selected, self.listed, self.deploying = selected, listed, deploying
        self.targets = list(selected) if force else [device for device in selected if device['id'] in listed]
        self.up_to_date = [device for device in selected if device not in self.targets]
        self.blocked = [(device, listed[device['id']].get('message')) for device in self.targets
                        if listed.get(device['id'], {}).get('canBeDeployed') is False and device not in deploying]
        self.read_at_ms = str(read_at_ms)

    def version(self):
        """The newest listed version of the targets; the time of this read (epoch ms) when a target is not listed."""
        listed = [str(self.listed[device['id']].get('version') or '') for device in self.targets
                  if device['id'] in self.listed]
        if len(listed) < len(self.targets) or not all(version.isdigit() for version in listed):
            return self.read_at_ms
        return max(listed, key=int)

    def refusal(self, interrupt_traffic):
        """Why the request must not be sent (a sentence), or None: devices FMC cannot deploy, and (with
        ``interrupt_traffic`` false) those whose deployment would interrupt traffic."""
        if self.blocked:
            return 'FMC cannot deploy %s: %s; nothing was deployed' % (
                names(device for device, _message in self.blocked),
                '; '.join('%s: %s' % (shown(device['name']), shown(message or 'canBeDeployed is false'))
                          for device, message in self.blocked))
        heavy = [device for device in self.targets
                 if str(self.listed.get(device['id'], {}).get('trafficInterruption', '')).upper() == 'YES']
        if heavy and not interrupt_traffic:
            return ('deploying to %s would interrupt traffic (trafficInterruption: YES) and interrupt_traffic is '
                    'false; nothing was deployed' % names(heavy))
        return None

    def behind(self, seen):
        """The targets the list still shows at the version it showed while another deployment deployed them
        (``seen``: device id -> that version): it has not caught up with that deployment yet."""
        return [device for device in self.targets
                if device['id'] in seen and listed_version(self.listed.get(device['id'])) <= seen[device['id']]]


def plan_of(items, selected, jobs, force, read_at_ms, lag_credit=LAG_CREDIT):
    """The Plan of a read of the deployable list (``items``) and of the recent jobs (read by _jobs.read_job; None:
    FMC has no job history) for the devices ``selected`` (None: every device with something to deploy), read at
    ``read_at_ms`` (the wall clock, epoch ms). A deployment that succeeded explains what the list still shows (list
    lag) only when it ended at most ``lag_credit`` seconds before the read."""
    items = [item for item in items if device_of(item)['id']]
    listed = dict((device_of(item)['id'], item) for item in items)
    selected = [device_of(item) for item in items] if selected is None else selected
    busy = deploying_devices(jobs or [])
    deploying = [device for device in selected if flag(listed.get(device['id'], {}).get('isDeploying')) or
                 device['id'] in busy or any(member['id'] in busy for member in device['members'])]
    deployed = deployed_since(jobs or [], read_at_ms - lag_credit * 1000)
    return Plan(selected, listed, deploying, force, deployed, read_at_ms)


def request_body(plan, force, ignore_warnings, note):
    """The deployment request for the plan's targets, at the plan's version."""
    body = {'type': 'DeploymentRequest', 'version': plan.version(), 'forceDeploy': force,
            'ignoreWarning': ignore_warnings, 'deviceList': [device['id'] for device in plan.targets]}
    if note:
        body['deploymentNote'] = note
    return body


# What FMC's answer to a deployment request means.
ACCEPTED = 'accepted'        # a deployment has started (``task_id``: its task, or None when the answer names none)
IN_PROGRESS = 'in progress'  # refused: a device is being deployed; worth asking again once it is not
REFUSED = 'refused'          # nothing was deployed
UNKNOWN = 'unknown'          # no usable answer: a deployment may have started


class RequestOutcome(collections.namedtuple('RequestOutcome', 'kind task_id message')):
    """What a deployment request came to: its ``kind`` (above), the task to wait on, and what to tell the user."""

    __slots__ = ()

    @property
    def changed(self):
        """True once FMC accepted the request: a deployment has started."""
        return self.kind == ACCEPTED


def request_outcome(task_id, error, targets):
    """What FMC's answer to the request for ``targets`` means: the task id its answer named (None: none that can be
    used), or the CdfmcRequestError the request failed with (None: it was accepted)."""
    if error is None:
        if task_id is not None:
            return RequestOutcome(ACCEPTED, task_id, None)
        return RequestOutcome(ACCEPTED, None, 'FMC accepted the deployment request to %s but named no usable task '
                                              '(metadata.task.id) to wait on: look at its deployment history'
                              % names(targets))
    detail = (error.detail or '').lower()
    if IN_PROGRESS_WORDS in detail or IN_PROGRESS_WORDS in str(error).lower():
        return RequestOutcome(IN_PROGRESS, None, str(error))
    if WARNINGS_WORDS in detail:
        return RequestOutcome(REFUSED, None, 'FMC refused the deployment for warnings in the committed policies: %s. '
                                             'Set ignore_warnings: true to deploy anyway' % shown(error.detail))
    if error.status is not None and 200 <= error.status < 300:
        return RequestOutcome(ACCEPTED, None, '%s; FMC accepted the deployment request, so a deployment has started: '
                                              'look at its deployment history before running this again' % error)
    if may_have_arrived(error):
        return RequestOutcome(UNKNOWN, None, '%s; the request may have reached FMC, so a deployment may have started: '
                                             'look at its deployment history before running this again' % error)
    return RequestOutcome(REFUSED, None, str(error))


def task_id_in(answer):
    """The task id that FMC's answer to a deployment request names (``metadata.task.id``), or None when it names
    none that can stand in a path."""
    task = ((answer or {}).get('metadata') or {}).get('task') if isinstance(answer, dict) else None
    task_id = task.get('id') if isinstance(task, dict) else None
    try:
        return validate_identifier(str(task_id) if task_id is not None else None, 'the task id of the deployment')
    except CdfmcOptionError:
        return None


def _out_of_date(entries):
    """The policies of a ``policyStatusList`` (or ``referredPolicyList``) that are not up to date, each by its name,
    else by its type; referred policies after the policy that refers to them."""
    found = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        policy = entry.get('policy') if isinstance(entry.get('policy'), dict) else {}
        if flag(entry.get('upToDate')) is False and (policy.get('name') or policy.get('type')):
            found.append(str(policy.get('name') or policy.get('type')))
        found.extend(_out_of_date(entry.get('referredPolicyList')))
    return found


def pending_policies(item):
    """The pending policies of a deployable list item: FMC lists every policy, up to date or not."""
    found = []
    for name in _out_of_date(item.get('policyStatusList')):
        if name not in found:
            found.append(name)
    return found


def device_sub_tasks(plan, task):
    """Each target's sub-task in the task facts (see ``sub_tasks_by_device``)."""
    return sub_tasks_by_device(plan.targets, task)


def sub_tasks_by_device(devices, task):
    """{device id: its sub-task in the task facts}: its own, or one of its members' when FMC names the members of an
    HA pair or cluster (one that did not succeed first). A device without one is left out."""
    subs = {}
    for sub in (task or {}).get('sub_tasks') or []:
        subs.setdefault(sub['target_id'], []).append(sub)
    found = {}
    for device in devices:
        mine = [sub for key in [device['id']] + [member['id'] for member in device['members']]
                for sub in subs.get(key, [])]
        if mine:
            found[device['id']] = next((sub for sub in mine if sub['state'] != SUCCEEDED), mine[0])
    return found


def device_reports(plan, task, version):
    """``deployed``: per device deployed (or, in check mode, to deploy), its name, id, type, version, pending
    policies, traffic interruption, state and message (from its sub-task; else the task's once it has ended or
    when it has no sub-tasks; else ``pending``)."""
    by_device = device_sub_tasks(plan, task)
    whole = task if task and (task['terminal'] or not task['sub_tasks']) else {'state': 'pending', 'message': None}
    reports = []
    for device in plan.targets:
        item = plan.listed.get(device['id'], {})
        sub = by_device.get(device['id']) or whole
        reports.append({'name': device['name'], 'id': device['id'], 'type': device['type'],
                        'version': str(item.get('version') or version), 'policies': pending_policies(item),
                        'traffic_interruption': item.get('trafficInterruption'), 'state': sub['state'],
                        'message': sub.get('message'), 'rollback': None})
    return reports


def changed_devices(plan, task):
    """The targets that a deployment changed: it succeeded, or partially succeeded, on them or on any member of them
    (by their sub-tasks, else the task's own state)."""
    def changed(sub):
        return sub['state'] == SUCCEEDED or is_partial_success(sub.get('status'))
    subs = (task or {}).get('sub_tasks') or []
    found = []
    for device in plan.targets:
        ids = [device['id']] + [member['id'] for member in device['members']]
        mine = [sub for sub in subs if sub['target_id'] in ids]
        if any(changed(sub) for sub in mine) or (not mine and changed(task)):
            found.append(device)
    return found


def deployed_versions(plan, task):
    """{device id: version} of the targets whose deployment succeeded, at the version deployed."""
    by_device = device_sub_tasks(plan, task)
    return dict((device['id'], listed_version({'version': plan.version()})) for device in plan.targets
                if by_device.get(device['id'], task)['state'] == SUCCEEDED)


def still_listed(deployed, items):
    """Those of ``deployed`` (device id -> version deployed) that the deployable list (``items``) still shows, at
    that version or an older one: it has not caught up with the deployment yet."""
    versions = dict((device_of(item)['id'], listed_version(item)) for item in items)
    return dict((device_id, version) for device_id, version in deployed.items()
                if device_id in versions and versions[device_id] <= version)


def outcome_message(plan, task, waited):
    """``msg`` once the wait ended: what failed, with a hint when FMC's messages speak of warnings."""
    if not waited['failed'] and task['state'] == SUCCEEDED:
        return 'deployed to %s in %.1fs' % (names(plan.targets), task['elapsed'])
    texts = [task.get('message') or ''] + [sub.get('message') or '' for sub in task['sub_tasks']
                                           if sub['state'] == FAILED]
    hint = '. Set ignore_warnings: true to deploy anyway' if any('warning' in text.lower() for text in texts) else ''
    return 'the deployment to %s did not succeed: %s%s' % (names(plan.targets), task_problem(task) or waited['msg'],
                                                           hint)


def nothing_sent_message(plan, check_mode):
    """``msg`` when no request was sent: what check mode would deploy, or why nothing is to be deployed."""
    if check_mode and plan.targets:
        return 'check mode: would deploy to %s' % names(plan.targets)
    return 'nothing to deploy: %s' % ('%s up to date' % names(plan.up_to_date) if plan.up_to_date
                                      else 'no device has pending changes')


def _value(field, value):
    """A field's value in the diff: secrets masked at any depth, then shown as text, escaped and cut."""
    value = mask_secret_fields(field, value)
    return shown(value if isinstance(value, str) else json.dumps(value, sort_keys=True))


def _entries(values):
    return [value for value in values if isinstance(value, dict)] if isinstance(values, list) else []


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


def device_diff(device, item, changes):
    """The diff of one device: its pending policies (from its deployable list ``item``) and, when FMC offers them,
    its pending ``changes`` field by field (secret-looking values masked)."""
    before, after = [], ['policy %s: pending' % shown(name) for name in pending_policies(item)]
    for change in changes:
        old, new = change_lines(change)
        before.extend(old)
        after.extend(new)
    return {'before_header': '%s (deployed)' % shown(device['name']),
            'after_header': '%s (pending)' % shown(device['name']),
            'before': ''.join(line + '\n' for line in before), 'after': ''.join(line + '\n' for line in after)}
