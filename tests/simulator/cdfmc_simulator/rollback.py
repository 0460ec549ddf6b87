# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Configuration rollback: a RollbackRequest returns devices to the configuration a deployment job left them.

The request is Cisco's (``createRollbackRequest``): per deployment job to return to, the device ids as that job's
history lists them. What FMC-FACTS.md and cdFMC's guide say of it, modelled: only to one of the unit's last ten
successful deployments, not while it deploys, a deployment before a second rollback, and not to a device that does
not support it (``can_rollback: false``). The members of an HA pair or cluster, as job history names them, are
rolled back together, the container's own id is not taken. One refusal refuses the whole request, and nothing is
done; an accepted one is one ROLLBACK job of all its units.
"""

from .history import API_USER, DEPLOYMENT, IN_PROGRESS, ROLLBACK, Job, listed_devices, rollback_window, successful

ROLLBACK_AGAIN = 'Rollback is allowed only after a new deployment to the device.'
NOT_SUPPORTED = 'Rollback is not supported for device %s.'
NOT_IN_JOB = 'Device %s is not part of deployment job %s.'
TOGETHER = 'The devices of %s (%s) must be rolled back together.'
TOO_OLD = 'Rollback is possible only to one of the last ten configurations of device %s: %s is older.'


def request(fleet, body, now):
    """(400, [what is wrong]) for a request refused, or (202, the ROLLBACK Job started)."""
    targets = {}  # unit id -> the job it returns to, filled by _named
    problem = _malformed(body) or _first(_named(fleet, entry, targets, now) for entry in body['rollbackDeviceList']) or \
        _first(_refusal(fleet, fleet.units[unit_id], target, now) for unit_id, target in targets.items())
    if problem:
        return 400, [problem]
    units = list(targets)
    job = Job(len(fleet.jobs) + 1, units, now, now + fleet.duration(len(units)),
              dict((unit_id, str(fleet.units[unit_id].rollback_outcome).lower()) for unit_id in units),
              job_type=ROLLBACK, targets=targets, user=API_USER)
    fleet.jobs.append(job)
    return 202, job


def _first(problems):
    """The first problem of a lazy sequence (the later ones are not looked at), or None."""
    return next((problem for problem in problems if problem), None)


def _malformed(body):
    """What makes the body no RollbackRequest, or None."""
    if not isinstance(body, dict):
        return 'The request body must be a JSON object.'
    if body.get('type') != 'RollbackRequest':
        return 'type must be RollbackRequest.'
    entries = body.get('rollbackDeviceList')
    if not isinstance(entries, list) or not entries:
        return 'rollbackDeviceList must list at least one deployment job.'
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get('deploymentJobId'), str) or \
                not isinstance(entry.get('deviceList'), list) or not entry['deviceList']:
            return 'Each rollbackDeviceList entry needs a deploymentJobId and a deviceList of at least one device.'
    return None


def _named(fleet, entry, targets, now):
    """Add the units one entry names to ``targets``; what is wrong with the entry, or None."""
    job = fleet.job(entry['deploymentJobId'], now)
    if job is None:
        return 'Deployment job %s not found.' % entry['deploymentJobId']
    if job.job_type != DEPLOYMENT:
        return '%s is a %s job: only a deployment job can be rolled back to.' % (job.name, job.job_type)
    listed, named = listed_devices(fleet, job), {}
    for device_id in (str(device) for device in entry['deviceList']):
        if device_id not in listed:
            return _not_in_job(fleet, device_id, job)
        named.setdefault(listed[device_id], set()).add(device_id)
    for unit_id, devices in named.items():
        unit = fleet.units[unit_id]
        if unit.members and devices != set(unit.members):
            return TOGETHER % (unit.name, ', '.join(unit.members))
        if unit_id in targets:
            return 'Device %s is named more than once: a device is rolled back to one job.' % unit.name
        targets[unit_id] = job
    return None


def _not_in_job(fleet, device_id, job):
    """Why a device id is not one the job lists: an HA pair or cluster is named by its devices."""
    unit = fleet.units.get(device_id)
    if unit is not None and unit.members:
        return (NOT_IN_JOB % (device_id, job.name)) + ' Name the devices of %s (%s), as job history lists them.' % (
            unit.name, ', '.join(unit.members))
    return NOT_IN_JOB % (device_id, job.name)


def _refusal(fleet, unit, target, now):
    """Why the unit cannot return to the target job now, or None."""
    if not unit.can_rollback:
        return NOT_SUPPORTED % unit.name
    if fleet.deploying(unit.id, now):
        return IN_PROGRESS
    if not target.succeeded(unit.id, now):
        return 'Device %s did not deploy successfully in %s: there is no configuration to return to.' % (
            unit.name, target.name)
    if target not in rollback_window(fleet.jobs, unit.id, now):
        return TOO_OLD % (unit.name, target.name)
    newest = successful(fleet.jobs, unit.id, now)[-1]
    if newest.job_type == ROLLBACK:
        return '%s Device %s was rolled back by %s.' % (ROLLBACK_AGAIN, unit.name, newest.name)
    return None
