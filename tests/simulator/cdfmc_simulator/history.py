# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Job history: the deployments and rollbacks made to the fleet's units, and how FMC's job history lists them.

The shapes are Cisco's (its description and its two examples of ``getJobHistory``): ISO times, ``jobStatus``
``Deployed`` in mixed case, per member of a pair or cluster one entry naming its container, each with its own
``deploymentStatus`` in the device words and ``deployedVersion`` (a small per-device counter; -1 in a ROLLBACK job),
a system job of type UNKNOWN without devices; read with ``rollbackApplicable:true``, only DEPLOYMENT jobs, each
with nothing but ``id``, ``jobName``, ``jobType``, ``type`` and devices with ``canRollback``.

Modelled: which configuration a unit runs after each job. A deployment deploys its unit's changes up to its
version; a rollback returns the unit to what its target job left; a failed job changes nothing. Jobs of the
``history`` scenario key ran before the scenario's pending changes were made.
"""

import bisect
import calendar
import time

DEPLOYMENT, ROLLBACK = 'DEPLOYMENT', 'ROLLBACK'
JOB_ID = '0050568B-9937-0ed3-0000-%012d'
SYSTEM_JOB_ID = '0050568B-AFA9-0ed3-0000-000000000001'
# FMC's refusal of a job for a device that is deploying (a rollback is refused with the same words).
IN_PROGRESS = 'Cannot perform deployment to the device, as another deployment is in progress for the device.'
# Who job history says ran a job: deployments and rollbacks asked by the API, and another administrator's.
API_USER, OTHER_USER, SEEDED_USER = 'automation', 'another-admin', 'admin'
# How many of its newest successful deployments a unit can be rolled back to (cdFMC's guide: the last ten).
ROLLBACK_WINDOW = 10
# Seeded jobs: each starts a minute after the one before and runs this many seconds.
SEEDED_SPACING, SEEDED_SECONDS = 60, 30


class Job:
    """One job: a deployment or a rollback, its units, when it runs, and how each unit ends (``outcomes``)."""

    def __init__(self, number, units, started, end, outcomes, **details):
        self.number, self.units, self.started, self.end, self.outcomes = number, units, started, end, outcomes
        self.job_type = details.get('job_type', DEPLOYMENT)
        self.version = details.get('version', 0)  # a deployment deploys its units' changes up to this version
        self.note = details.get('note', '')
        self.user = details.get('user', API_USER)
        self.targets = details.get('targets') or {}  # a rollback: unit id -> the Job it returns to (None: unknown)
        self.task_id = str(8589934592 + number)
        self.job_id = JOB_ID % number
        self.name = 'Deploy_Job_%d' % number

    def running(self, now):
        return self.started <= now < self.end

    def succeeded(self, unit_id, now):
        """Whether the job has ended and the unit succeeded in it."""
        return now >= self.end and self.outcomes.get(unit_id) == 'succeeded'


def successful(jobs, unit_id, now, job_type=None):
    """The ended jobs (of ``job_type``, if given) in which the unit succeeded, oldest first."""
    return [job for job in jobs if job.succeeded(unit_id, now) and job_type in (None, job.job_type)]


def rollback_window(jobs, unit_id, now):
    """The deployments a unit can be rolled back to: its newest ROLLBACK_WINDOW successful ones."""
    return successful(jobs, unit_id, now, DEPLOYMENT)[-ROLLBACK_WINDOW:]


def cleared_version(jobs, unit_id, now, lag):
    """The version up to which the unit's changes are deployed, as the deployable list sees it ``lag`` seconds
    after each job's end: a deployment raises it to its version, a rollback sets it back to its target's."""
    return _replay([job for job in successful(jobs, unit_id, now) if job.end + lag <= now], unit_id)


def _replay(done, unit_id):
    version = 0
    for job in done:
        if job.job_type == DEPLOYMENT:
            version = max(version, job.version)
        elif job.targets.get(unit_id) is not None:  # a seeded rollback to an unknown job leaves it as it is
            target = job.targets[unit_id]
            version = _replay([earlier for earlier in done if earlier.number <= target.number], unit_id)
    return version


def seed(fleet, entries, make_change):
    """The jobs of the ``history`` key, oldest first, that ran before the scenario began: one a minute, the newest
    ending a minute before the oldest pending change (so none of these is deployed). A successful seeded
    deployment leaves each unit a change of its own (``deployed``, or one policy named after the job), deployed
    by it: a later rollback lists it again. ``make_change(spec, version, visible_at)`` makes a fleet's change."""
    oldest = min([change.version for unit in fleet.units.values() for change in unit.changes] + [fleet.wall_ms])
    last_end = min(oldest, fleet.wall_ms - 60000) / 1000.0 - 60
    for index, entry in enumerate(entries):
        start_wall = last_end - SEEDED_SECONDS - SEEDED_SPACING * (len(entries) - 1 - index)
        started = fleet.loaded + start_wall - fleet.wall_ms / 1000.0
        job = Job(len(fleet.jobs) + 1, _seeded_units(fleet, entry, index), started, started + SEEDED_SECONDS, {},
                  job_type=str(entry.get('type', DEPLOYMENT)).upper(), version=int(start_wall * 1000),
                  note=str(entry.get('note', '')), user=str(entry.get('user', SEEDED_USER)))
        job.outcomes = dict((unit_id, str((entry.get('outcomes') or {}).get(unit_id, 'succeeded')).lower())
                            for unit_id in job.units)
        if job.job_type == ROLLBACK:
            job.targets = dict((unit_id, _seeded_target(fleet, entry, index)) for unit_id in job.units)
        else:
            _leave_changes(fleet, job, entry, make_change)
        fleet.jobs.append(job)


def _seeded_units(fleet, entry, index):
    units = [str(unit) for unit in entry.get('units') or []]
    unknown = [unit for unit in units if unit not in fleet.units]
    if not units or unknown:
        raise ValueError('history entry %d: units must name devices, HA pairs or clusters of the scenario (not %s)'
                         % (index + 1, ', '.join(unknown) or 'none'))
    return units


def _seeded_target(fleet, entry, index):
    target = entry.get('target')
    if target is None:
        return None
    if not 1 <= int(target) <= len(fleet.jobs):
        raise ValueError('history entry %d: target must be the number of an earlier job (1 to %d)'
                         % (index + 1, len(fleet.jobs)))
    return fleet.jobs[int(target) - 1]


def _leave_changes(fleet, job, entry, make_change):
    for unit_id in job.units:
        if job.outcomes[unit_id] == 'succeeded':
            for spec in entry.get('deployed') or [{'policy': '%s-Policy' % job.name}]:
                change = make_change(spec, job.version, job.started)
                change.version = job.version  # deployed by this job, whatever the spec says
                fleet.units[unit_id].changes.append(change)


class _Successes:
    """Per unit, the numbers of the deployments in which it succeeded, for one read of job history."""

    def __init__(self, fleet, now):
        self.numbers = dict((unit_id, [job.number for job in successful(fleet.jobs, unit_id, now, DEPLOYMENT)])
                            for unit_id in fleet.units)

    def deployed_version(self, job, unit_id):
        """The unit's counter in a job: 1, plus one per deployment it succeeded in up to this one; -1 in a
        rollback (as Cisco's example has it)."""
        if job.job_type == ROLLBACK:
            return -1
        return 1 + bisect.bisect_right(self.numbers[unit_id], job.number)

    def can_roll_back(self, fleet, job, unit_id):
        """Whether the unit can be rolled back to this job: it supports rollback, and the job is one of its
        newest ROLLBACK_WINDOW successful deployments (the newest included)."""
        return fleet.units[unit_id].can_rollback and job.number in self.numbers[unit_id][-ROLLBACK_WINDOW:]


def job_histories(fleet, now, wanted):
    """The system job and every job, newest first, filtered by ``wanted`` (the filter's keys): startTime and
    endTime (epoch seconds, only together), deviceUUID, the jobType and status that real FMCs also take, and
    rollbackApplicable (true: only deployments, shaped as Cisco's second example)."""
    successes = _Successes(fleet, now)
    system = {'id': SYSTEM_JOB_ID, 'type': 'JobHistory', 'jobType': 'UNKNOWN', 'jobName': 'Deploy_Job_0',
              'jobStatus': 'DEPLOYED', 'user': 'System', 'deploymentNote': '',
              'startTime': _iso(fleet.wall(fleet.loaded - 600)), 'endTime': _iso(fleet.wall(fleet.loaded - 590))}
    items = [(None, system)] + [(job, _item(fleet, job, now, successes)) for job in fleet.jobs if job.started <= now]
    selected = [(job, item) for job, item in items if _matches(item, wanted)]
    if str(wanted.get('rollbackApplicable', '')).lower() == 'true':
        selected = [(job, _rollback_applicable(fleet, job, item, successes)) for job, item in selected
                    if item['jobType'] == DEPLOYMENT]
    selected.sort(key=lambda pair: (pair[0].started, pair[0].number) if pair[0] else (fleet.loaded - 600, 0),
                  reverse=True)
    return [item for _job, item in selected]  # newest first, as FMC lists


def _matches(item, wanted):
    started = _epoch(item['startTime'])
    if 'startTime' in wanted and not float(wanted['startTime']) <= started <= float(wanted['endTime']):
        return False
    if wanted.get('jobType') and item['jobType'] != wanted['jobType'].upper():
        return False
    if wanted.get('status') and item['jobStatus'].upper() != wanted['status'].upper():
        return False
    return not wanted.get('deviceUUID') or any(entry['deviceUUID'] == wanted['deviceUUID']
                                               for entry in item.get('deviceList') or [])


def _item(fleet, job, now, successes):
    running = job.running(now)
    failed = any(job.outcomes.get(unit_id) == 'failed' for unit_id in job.units)
    item = {'id': job.job_id, 'type': 'JobHistory', 'jobType': job.job_type, 'jobName': job.name,
            'deploymentNote': job.note, 'user': job.user,
            'jobStatus': 'DEPLOYING' if running else (fleet.job_status or ('FAILED' if failed else 'Deployed')),  # as FMC's
            'startTime': _iso(fleet.wall(job.started)), 'deviceList': []}
    if not running:
        item['endTime'] = _iso(fleet.wall(job.end))
    for unit_id in job.units:
        status = 'DEPLOYING' if running else ('FAILED' if job.outcomes.get(unit_id) == 'failed' else 'SUCCEEDED')
        for entry in _entries(fleet, unit_id):
            item['deviceList'].append(dict(entry, deploymentStatus=status,
                                           deployedVersion=successes.deployed_version(job, unit_id)))
    return item


def _entries(fleet, unit_id):
    """A unit as job history lists it: each member of a pair or cluster with its container, or the device."""
    unit = fleet.units[unit_id]
    for device_id in unit.members or [unit.id]:
        entry = {'deviceUUID': device_id, 'deviceName': fleet.member(device_id)['name']}
        if unit.members:
            entry.update(containerUUID=unit.id, containerName=unit.name)
        yield entry


def _rollback_applicable(fleet, job, item, successes):
    """A deployment as a read with rollbackApplicable:true lists it: no status, times, note or user; per device
    only its name, id (and container) and ``canRollback``."""
    devices = [dict(entry, canRollback=successes.can_roll_back(fleet, job, unit_id))
               for unit_id in job.units for entry in _entries(fleet, unit_id)]
    return dict(dict((key, item[key]) for key in ('id', 'jobName', 'jobType', 'type')), deviceList=devices)


def listed_devices(fleet, job):
    """{device id as the job's deviceList names it: its unit id}."""
    return dict((entry['deviceUUID'], unit_id) for unit_id in job.units for entry in _entries(fleet, unit_id))


def _iso(epoch_seconds):
    """ISO 8601 in UTC, to the second, as FMC's job history writes times."""
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(epoch_seconds))


def _epoch(iso):
    return calendar.timegm(time.strptime(iso, '%Y-%m-%dT%H:%M:%SZ'))
