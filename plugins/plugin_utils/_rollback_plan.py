# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A rollback's plan, from FMC's deployment job history: each device's configurations (the jobs in which it
succeeded), the one it runs now, the one to return to, what stands in the way, the request, and the reports.

FMC's job history gives two views of the same jobs: read plainly, each job with its status, times, note and each
device's ``deploymentStatus``; read with ``rollbackApplicable:true``, each job with each device's ``canRollback``
and nothing else. The two are joined by job id (``with_can_rollback``). A member of an HA pair or cluster is listed
with its container: the container is what is rolled back, and the request names the members as the job lists them
(how FMC expects a pair to be named is not documented; this follows its job history).

FMC's rules, as its guides give them: a device returns to one of its last ten configurations, a configuration that
a DEPLOYMENT job made; after a rollback, another is allowed only after a new deployment; a failed deployment leaves
the running configuration as it was.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It is controller-only, and does no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections

from ansible_collections.cisco.cdfmc.plugins.module_utils._display import shown
from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import (
    PENDING,
    RUNNING,
    SUCCEEDED,
    UNKNOWN,
    is_partial_success,
)
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._deploy_plan import names, sub_tasks_by_device
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._jobs import DEPLOYMENT, ROLLBACK, epoch_ms

# The configurations FMC keeps to return to, per device.
LAST = 10
# How to choose the configuration to return to: the one before the current one; the one a job deployed (by its
# id, or by its note); the one before a job (by its note, or by its id: cdfmc_rollback's before_job_id, and what
# cdfmc_deploy's on_failure uses).
PREVIOUS, JOB_ID, NOTE, BEFORE_NOTE, BEFORE_JOB = 'previous', 'job_id', 'note', 'before_note', 'before_job'
# What the plan is for a device.
ROLL_BACK, UNCHANGED, REFUSED = 'roll back', 'unchanged', 'refused'

# A device in one job: the job, its state there (its members' states together), whether it changed (succeeded, or
# partially succeeded), whether FMC lets it return there (None: not said), and the ids a request names for it.
Step = collections.namedtuple('Step', 'job state changed can_rollback ids')
# What becomes of one device: ROLL_BACK to ``target`` (a Step), UNCHANGED (``current`` is the rollback that left it
# so) or REFUSED (``reason``); ``current`` is the Step of its running configuration (None: not known).
Choice = collections.namedtuple('Choice', 'device kind target current reason')


class Selector(collections.namedtuple('Selector', 'how value')):
    """How the configuration to return to is chosen (``how``: PREVIOUS, JOB_ID, NOTE, BEFORE_NOTE or BEFORE_JOB)
    and its job id or note."""

    __slots__ = ()


def with_can_rollback(jobs, filtered):
    """The jobs (read by _jobs.read_job, plainly) with each device's ``can_rollback`` from the same jobs read with
    ``rollbackApplicable:true`` (``filtered``), joined by job id and device id."""
    allowed = dict(((job['id'], device['id']), device['can_rollback'])
                   for job in filtered if job is not None for device in job['devices'])
    joined = []
    for job in jobs:
        if job is None:
            continue
        devices = [dict(device, can_rollback=allowed.get((job['id'], device['id']), device['can_rollback']))
                   for device in job['devices']]
        joined.append(dict(job, devices=devices))
    return joined


def _step(job, device):
    """The Step of ``device`` (a device, pair or cluster) in ``job``, or None when it took no part."""
    member_ids = set(member['id'] for member in device.get('members') or [])
    entries = [entry for entry in job['devices'] if entry['state'] is not None and (
        entry['id'] == device['id'] or entry['container_id'] == device['id'] or entry['id'] in member_ids)]
    if not entries:
        return None
    states = [entry['state'] for entry in entries]
    state = RUNNING if RUNNING in states else (SUCCEEDED if all(s == SUCCEEDED for s in states) else
                                               next(s for s in states if s != SUCCEEDED))
    # A member that changed changes its pair: its configuration is not what it was before the job.
    changed = any(entry['state'] == SUCCEEDED or is_partial_success(entry['status']) for entry in entries)
    allowed = [entry['can_rollback'] for entry in entries]
    can_rollback = False if False in allowed else (None if None in allowed else True)
    return Step(job, state, changed, can_rollback, [entry['id'] for entry in entries])


def _started(job):
    """When a job started, to order the jobs of one FMC: its start in epoch ms, read as UTC when FMC names no zone
    (every job of one FMC has the same offset); 0 when it cannot be read."""
    return job['start_ms'] or epoch_ms(job['start_time']) or 0


def history(device, jobs):
    """The Steps of ``device`` in ``jobs``, newest first: by start, then in FMC's own order (newest first) for jobs
    that started at the same second or whose start cannot be read."""
    steps = [step for step in (_step(job, device) for job in jobs) if step is not None]
    return sorted(steps, key=lambda step: _started(step.job), reverse=True)


def job_facts(job):
    """A job as the results name it: id, name, note, start_time (as FMC wrote it)."""
    return {'id': job['id'], 'name': job['name'], 'note': job['note'], 'start_time': job['start_time']}


def job_named(job):
    """A job for a message: its name (or id) and note, escaped."""
    text = shown(job['name'] or job['id'])
    return "%s ('%s')" % (text, shown(job['note'], 200)) if job['note'] else text


def _configurations(steps):
    """The Steps that made a device's configuration: the jobs in which it succeeded, newest first."""
    return [step for step in steps if step.state == SUCCEEDED]


def _before(steps, step):
    """The newest configuration of ``steps`` (newest first) that is older than ``step``, or None."""
    older = _configurations(steps[steps.index(step) + 1:])
    return older[0] if older else None


def _anchor(steps, selector):
    """The Step the selector names for a device (None: none), and why there is none."""
    if selector.how in (JOB_ID, BEFORE_JOB):
        found = [step for step in steps if step.job['id'] == selector.value]
        return (found[0], None) if found else (None, 'it took no part in job %s' % shown(selector.value))
    noted = [step for step in steps if step.job['type'] == DEPLOYMENT and step.job['note'] == selector.value]
    # "Undo change X": the job changed the device if it succeeded there, or partially succeeded.
    matching = [step for step in noted if (step.changed if selector.how == BEFORE_NOTE else step.state == SUCCEEDED)]
    if matching:
        return matching[0], None
    if noted:
        return None, "no job with the note '%s' succeeded on it" % shown(selector.value, 200)
    return None, "no deployment job with the note '%s' deployed to it" % shown(selector.value, 200)


def _target(steps, current, selector):
    """The Step to return to (None: none), and why there is none."""
    if selector.how == PREVIOUS:
        return _before(steps, current), 'it has no configuration before its current one in FMC\'s job history'
    anchor, problem = _anchor(steps, selector)
    if anchor is None:
        return None, problem
    if selector.how in (JOB_ID, NOTE):
        if anchor.state != SUCCEEDED:
            return None, 'it did not succeed in job %s (%s)' % (job_named(anchor.job), shown(anchor.state))
        return anchor, None
    return _before(steps, anchor), 'it has no configuration before job %s in FMC\'s job history' % job_named(
        anchor.job)


def _refusal(steps, current, target, selector):
    """Why ``target`` cannot be returned to (None: it can). Undoing a job that changed a device without succeeding
    on it (a partial success) may return it to what counts as its current configuration: that is meant."""
    if not target.job['id']:
        return "FMC's job history gives no id for job %s, so it cannot be named in a request" % job_named(target.job)
    if target.job['type'] != DEPLOYMENT:
        kind = 'of type %s' % shown(target.job['type']) if target.job['type'] else 'of no type'
        if selector.how in (JOB_ID, NOTE):
            return 'job %s is a job %s, not a deployment: only a deployment can be returned to' % (
                job_named(target.job), kind)
        return 'its configuration before that came from job %s, a job %s, which FMC cannot return to' % (
            job_named(target.job), kind)
    if target is current and selector.how not in (BEFORE_NOTE, BEFORE_JOB):
        return 'job %s is its current configuration' % job_named(target.job)
    deployed = [step for step in _configurations(steps) if step.job['type'] == DEPLOYMENT]
    if target in deployed and deployed.index(target) >= LAST:
        return 'job %s is beyond the last %d configurations that FMC keeps for it' % (job_named(target.job), LAST)
    if target.can_rollback is not True:
        return 'FMC does not offer job %s for its rollback (canRollback: %s)' % (
            job_named(target.job), 'false' if target.can_rollback is False else 'not given')
    return None


def _before_job(device, steps, current, selector):
    """With a BEFORE_JOB selector, the Choice that the job named decides before anything else, or None: a job that
    is not a deployment is refused; a device that it did not change (it failed there) is left as it is, and so is one
    that a newer deployment changed since (a late request must not undo later, good deployments)."""
    found = [step for step in steps if step.job['id'] == selector.value]
    if selector.how != BEFORE_JOB or not found:
        return None
    anchor = found[0]
    if anchor.job['type'] != DEPLOYMENT:
        # Undoing a rollback is not what "before a job" is for: an automation that undoes failed jobs must not loop.
        return Choice(device, REFUSED, None, current, 'job %s is not a deployment: only what a deployment changed '
                                                      'can be undone' % job_named(anchor.job))
    if anchor.state not in (RUNNING, PENDING) and not anchor.changed:
        return Choice(device, UNCHANGED, None, current, 'job %s did not change it (%s there): there is nothing to '
                                                        'undo' % (job_named(anchor.job), shown(anchor.state)))
    since = [step for step in steps[:steps.index(anchor)] if step.job['type'] == DEPLOYMENT and step.changed]
    if since:
        return Choice(device, UNCHANGED, None, current, 'deployed again since job %s (job %s): not rolled back, so '
                                                        'that the later deployment is kept' % (
                                                            job_named(anchor.job), job_named(since[0].job)))
    return None


def _undoes_newer(steps, current, selector):
    """True when ``selector`` names a job newer than ``current`` (a rollback) by BEFORE_JOB: one that changed the
    device without succeeding there (else it would be current), so the device is not as the rollback left it."""
    newer = steps[:steps.index(current)]
    return selector.how == BEFORE_JOB and any(step.job['id'] == selector.value for step in newer)


def choose(device, steps, selector):
    """The Choice for ``device``, from its ``steps`` (``history``) and the ``selector``."""
    if any(step.state == RUNNING for step in steps):
        running = next(step for step in steps if step.state == RUNNING)
        return Choice(device, REFUSED, None, None, 'it is deploying (job %s)' % job_named(running.job))
    configurations = _configurations(steps)
    current = configurations[0] if configurations else None
    decided = _before_job(device, steps, current, selector)
    if decided is not None:
        return decided
    if current is not None and current.job['type'] == ROLLBACK and not _undoes_newer(steps, current, selector):
        return Choice(device, UNCHANGED, None, current, None)
    if current is None:
        return Choice(device, REFUSED, None, None, 'no job in FMC\'s job history succeeded on it')
    target, problem = _target(steps, current, selector)
    problem = _refusal(steps, current, target, selector) if target is not None else problem
    if problem:
        return Choice(device, REFUSED, target, current, problem)
    return Choice(device, ROLL_BACK, target, current, None)


def request_body(choices):
    """The rollback request for the choices to roll back: one entry per job returned to, its devices by the ids
    that job lists for them."""
    entries = collections.OrderedDict()
    for choice in choices:
        if choice.kind == ROLL_BACK:
            entries.setdefault(choice.target.job['id'], []).extend(choice.target.ids)
    return {'type': 'RollbackRequest',
            'rollbackDeviceList': [{'deploymentJobId': job_id, 'deviceList': ids} for job_id, ids in entries.items()]}


def refusal_message(refused):
    """``msg`` of a rollback refused before anything was sent: each device and why."""
    return 'nothing was rolled back: %s' % '; '.join(
        '%s: %s' % (shown(choice.device['name']), choice.reason) for choice in refused)


def device_facts(device):
    """A device as the results name it: name, id, type."""
    return dict((key, device[key]) for key in ('name', 'id', 'type'))


def unchanged_reports(choices):
    """``unchanged``: each device left as it is, with the rollback that left it so (or, for a device that the job
    to undo did not change, its current configuration's job, None when none is known, and why)."""
    return [dict(device_facts(choice.device), job=job_facts(choice.current.job) if choice.current else None,
                 message=choice.reason or 'its newest configuration is a rollback (job %s); FMC allows another '
                                          'rollback only after a deployment' % job_named(choice.current.job))
            for choice in choices if choice.kind == UNCHANGED]


def rollback_reports(choices, task=None, job_states=None):
    """``rolled_back``: per device rolled back (in check mode, to roll back), the job returned to, its state and
    FMC's message: from its sub-task in the rollback's ``task`` (task facts), else from the ROLLBACK job
    (``job_states``: device id -> (state, message)), else the task's own, else ``pending``."""
    targets = [choice for choice in choices if choice.kind == ROLL_BACK]
    by_device = sub_tasks_by_device([choice.device for choice in targets], task)
    whole = task if task and (task['terminal'] or not task['sub_tasks']) else {'state': 'pending', 'message': None}
    reports = []
    for choice in targets:
        found = by_device.get(choice.device['id'])
        if found is None and job_states and choice.device['id'] in job_states:
            state, message = job_states[choice.device['id']]
            found = {'state': state, 'message': message}
        found = found or whole
        reports.append(dict(device_facts(choice.device), job=job_facts(choice.target.job), state=found['state'],
                            message=found.get('message')))
    return reports


def check_message(choices):
    """``msg`` in check mode: which job each device would return to."""
    targets = [choice for choice in choices if choice.kind == ROLL_BACK]
    if not targets:
        return 'check mode: nothing to roll back'
    return 'check mode: would roll back %s' % '; '.join(
        '%s to job %s' % (shown(choice.device['name']), job_named(choice.target.job)) for choice in targets)


OUT_OF_DATE = ('they are now out of date in FMC: the next cdfmc_deploy to them deploys the changes made since the '
               'job returned to again')


def outcome_message(reports, unchanged, timed_out=False):
    """``msg`` once the rollback ended (or the timeout came): what was rolled back to which job, what failed, what
    had not ended, that the devices rolled back are out of date, and why the ``unchanged`` Choices were left."""
    untouched = [choice for choice in unchanged if choice.reason]
    unchanged = [choice.device for choice in unchanged if not choice.reason]
    done = [report for report in reports if report['state'] == SUCCEEDED]
    unfinished = [report for report in reports if timed_out and report['state'] in (PENDING, RUNNING, UNKNOWN)]
    other = [report for report in reports if report not in done and report not in unfinished]
    parts = []
    if done:
        parts.append('rolled back %s; %s' % (', '.join('%s to job %s' % (shown(report['name']), shown(
            report['job']['name'] or report['job']['id'])) for report in done), OUT_OF_DATE))
    if other:
        parts.append('the rollback of %s did not succeed: %s' % (names(other), '; '.join(
            '%s: %s%s' % (shown(report['name']), shown(report['state']),
                          ' (%s)' % shown(report['message']) if report['message'] else '') for report in other)))
    if unfinished:
        parts.append("the rollback of %s had not ended when the timeout came: look at FMC's deployment job history"
                     % names(unfinished))
    if unchanged:
        parts.append('%s left as %s: %s newest configuration is a rollback, and FMC allows another only after a '
                     'deployment' % (names(unchanged), 'they are' if len(unchanged) > 1 else 'it is',
                                     'their' if len(unchanged) > 1 else 'its'))
    parts.extend('%s left as it is: %s' % (shown(choice.device['name']), choice.reason) for choice in untouched)
    return '; '.join(parts) or 'nothing to roll back'


def rollback_diff(choice):
    """The diff of one device: its current configuration's job before, the job it returns to after."""
    def lines(job):
        return ''.join('%s: %s\n' % (key, shown(value) if value is not None else '-') for key, value in (
            ('job', job['name']), ('id', job['id']), ('note', job['note']), ('started', job['start_time']),
            ('user', job['user'])))
    return {'before_header': '%s (current: job %s)' % (shown(choice.device['name']), shown(choice.current.job['name'])),
            'after_header': '%s (after the rollback: job %s)' % (shown(choice.device['name']),
                                                                 shown(choice.target.job['name'])),
            'before': lines(choice.current.job), 'after': lines(choice.target.job)}


def undo_message(devices, found):
    """What cdfmc_deploy's ``on_failure: rollback`` did to the ``devices`` of the deployment (``found``: device id ->
    {job, state, message} of those it concerned), for its ``msg``."""
    done = [device for device in devices if found.get(device['id'], {}).get('state') == SUCCEEDED]
    undone = [device for device in devices if device['id'] in found and device not in done]
    parts = []
    if done:
        parts.append('rolled back %s to the configuration before this deployment (%s)' % (names(done), ', '.join(
            'job %s' % shown(found[device['id']]['job']['name'] or found[device['id']]['job']['id'])
            for device in done)))
    if undone:
        parts.append('could not roll back %s' % '; '.join('%s: %s' % (shown(device['name']), shown(
            found[device['id']]['message'] or found[device['id']]['state'])) for device in undone))
    if not found:
        parts.append('no device changed in it, so nothing was rolled back')
    return '(on_failure: rollback) %s' % '; '.join(parts)
