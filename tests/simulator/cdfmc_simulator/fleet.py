# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The managed devices of the simulated FMC, their pending changes, and the deployments made to them.

The shapes are Cisco's (its API description and examples): HA pairs whose members carry only an id, clusters
as FMC 7.x (``controlDevice``/``dataDevices``) or 6.x (``masterDevice``/``slaveDevices``) lists them, device
records that name their container, a deployable list that lists every policy (most unnamed and up to date) and a
standalone device as SENSOR, pending changes field by field, and job history with ISO times, device words and
per-device version counters, and a system job of type UNKNOWN without devices.

What FMC-FACTS.md says of deployments, modelled: a member is deployed through its container; the deployable list
(only what has something to deploy, an empty list has no ``items``) lags a change and a deployment's end by
``list_lag`` seconds; ``isDeploying`` (with ``canBeDeployed`` still true) and DEPLOYING job histories while a
deployment runs; a deployment request refused for a device that is deploying, for warnings (HTTP 500 VALIDATION,
unless ``ignoreWarning``) and for a device that cannot be deployed; succeeded devices leave the list once their
deployment ends, failed ones stay. The jobs (deployments and rollbacks) and how job history lists them are in
``history``, the rules of a rollback request in ``rollback``. No sockets: the Simulator routes requests here.
"""

import re

from . import history, rollback
from .history import API_USER, DEPLOYMENT, IN_PROGRESS, OTHER_USER, ROLLBACK, Job

WARNINGS_FIRST = 'Errors or warnings present in Device committed policies:'
UNIT_TYPES = {'devices': 'Device', 'ha_pairs': 'DeviceHAPair', 'clusters': 'DeviceCluster'}
# What the deployable list calls each kind of unit (a standalone FTD is a SENSOR there).
LISTED_TYPES = {'Device': 'SENSOR', 'DeviceHAPair': 'DeviceHAPair', 'DeviceCluster': 'DeviceCluster'}
# Policies every device has, up to date and unnamed, as FMC lists them beside the ones with changes.
PLATFORM_PAGES = ('PG.PLATFORM.PixInterface', 'PG.RA.PkiPolicy', 'PG.PLATFORM.NgfwVirtualRouterPage')
GLOBAL_DOMAIN = {'id': 'e276abec-e0f2-11e3-8169-6d9ed49b625f', 'name': 'Global', 'type': 'Domain'}
# What the task of a deployment and of a rollback says: its type, its states and messages, and its sub-tasks'.
TASK_WORDS = {
    DEPLOYMENT: {'task_type': 'DEVICE_DEPLOYMENT', 'task': ('Deploying', 'Deployed'),
                 'asked': 'Deployment to %d device(s)', 'failed_on': 'Deployment failed on %d device(s)',
                 'succeeded': 'Deployment succeeded', 'waiting': 'Waiting to deploy',
                 'working': ('Deploying', 'Deploying configuration')},
    ROLLBACK: {'task_type': 'DEVICE_ROLLBACK', 'task': ('Running', 'Succeeded'),
               'asked': 'Rollback of %d device(s)', 'failed_on': 'Rollback failed on %d device(s)',
               'succeeded': 'Rollback succeeded', 'waiting': 'Waiting to roll back',
               'working': ('Running', 'Rolling back configuration')},
}


class Change:
    """One pending change: a policy (and, for pendingchanges, an entity in it), from a version on."""

    def __init__(self, spec, version, visible_at):
        spec = spec if isinstance(spec, dict) else {'policy': str(spec)}
        self.policy = spec.get('policy', 'Policy')
        self.policy_type = spec.get('type', 'AccessPolicy')
        default = {'name': '%s rule' % self.policy, 'type': 'AccessRule', 'action': 'update', 'valueUpdated': [
            {'fieldName': 'action', 'oldValue': 'ALLOW', 'newValue': 'BLOCK'}]}
        self.entities = list(spec.get('changes') or [default])
        self.version = int(spec.get('version', version))
        self.visible_at = visible_at


class Unit:
    """What FMC deploys: a standalone device, an HA pair or a cluster."""

    def __init__(self, kind, spec, version, now):
        self.id, self.name, self.type = str(spec['id']), spec.get('name', str(spec['id'])), UNIT_TYPES[kind]
        self.traffic = spec.get('traffic', 'NO')
        self.can_deploy = spec.get('can_deploy', True)
        self.cannot_message = spec.get('cannot_message', 'The device is not registered to the management center.')
        self.outcome = spec.get('outcome', 'succeeded')
        self.fail_message = spec.get('message') or 'Deployment failed'
        self.warnings = list(spec.get('warnings') or [])
        self.changes = [Change(change, version, now) for change in spec.get('pending') or []]
        self.can_rollback = spec.get('can_rollback', True) is not False
        self.rollback_outcome = spec.get('rollback_outcome', 'succeeded')
        self.rollback_message = spec.get('rollback_message') or 'Rollback failed'

    def pending(self, now):
        """The changes the deployable list shows now."""
        return [change for change in self.changes if change.visible_at <= now]


class Fleet:
    """The devices of the scenario (``devices``, ``ha_pairs``, ``clusters``) and the jobs that deployed to them or
    rolled them back (``jobs``: those of ``history`` first, then the ones the scenario makes)."""

    def __init__(self, scenario, now, wall_ms):
        deployment = scenario.get('deployment') or {}
        self.lag = float(deployment.get('list_lag', 0))
        self.step = float(deployment.get('step_seconds', 1.0))
        self.stagger = float(deployment.get('stagger', 0))
        self.hidden = float(deployment.get('hidden_seconds', 0))
        # The jobStatus of an ended job: FMC's word for the job is not documented to follow its devices'.
        self.job_status = deployment.get('job_status')
        self.wall_ms, self.loaded = wall_ms, now
        self.cluster_shape = str(scenario.get('cluster_shape', '7.x'))
        self.devices = dict((str(spec['id']), spec) for spec in scenario.get('devices') or [])
        self.container = {}  # member device id -> its pair or cluster
        self.units = {}
        for kind in ('ha_pairs', 'clusters'):
            for spec in scenario.get(kind) or []:
                unit = self.units[str(spec['id'])] = Unit(kind, spec, wall_ms - 60000, now)
                unit.members = [str(spec.get('primary')), str(spec.get('secondary'))] if kind == 'ha_pairs' else \
                    [str(spec.get('control'))] + [str(member) for member in spec.get('data') or []]
                for member in unit.members:
                    self.container[member] = unit
        for device_id, spec in self.devices.items():
            if device_id not in self.container:
                self.units[device_id] = Unit('devices', spec, wall_ms - 60000, now)
                self.units[device_id].members = []
        self.jobs = []  # deployments and rollbacks, numbered from 1 in the order they started
        history.seed(self, scenario.get('history') or [], Change)
        # Deployments of another administrator: running when the scenario is loaded, or starting ``after`` seconds.
        for spec in scenario.get('deploying') or []:
            self.start([str(unit) for unit in spec['units']], None, now + float(spec.get('after', 0)),
                       float(spec.get('seconds', 5)), '', OTHER_USER)

    # Reads ------------------------------------------------------------------------------------------------

    def member(self, device_id, listed_type='Device'):
        spec = self.devices.get(device_id, {'id': device_id})
        return {'id': device_id, 'name': spec.get('name', device_id), 'type': listed_type}

    def device_records(self):
        """Device records; with ``expanded=true`` a member names its pair or cluster (``metadata.containerDetails``)."""
        records = []
        for device_id in self.devices:
            record = dict(self.member(device_id), hostName=self.devices[device_id].get('host', device_id))
            container = self.container.get(device_id)
            record['metadata'] = {'isPartOfContainer': container is not None, 'domain': GLOBAL_DOMAIN}
            if container is not None:
                record['metadata']['containerDetails'] = {'id': container.id, 'name': container.name,
                                                          'type': container.type}
            records.append(record)
        return records

    def ha_pairs(self):
        """HA pairs, whose ``primary`` and ``secondary`` carry only an id, as Cisco's examples give them."""
        return [{'id': unit.id, 'name': unit.name, 'type': unit.type, 'primary': {'id': unit.members[0]},
                 'secondary': {'id': unit.members[1]}}
                for unit in self.units.values() if unit.type == 'DeviceHAPair']

    def clusters(self):
        """Clusters as FMC 7.x lists them (``controlDevice``, ``dataDevices[].deviceDetails``) or, with
        ``cluster_shape: 6.x``, as 6.x does (``masterDevice``, ``slaveDevices``: ids without names)."""
        clusters = []
        for unit in self.units.values():
            if unit.type != 'DeviceCluster':
                continue
            cluster = {'id': unit.id, 'name': unit.name, 'type': unit.type}
            if self.cluster_shape.startswith('6'):
                cluster['masterDevice'] = {'id': unit.members[0], 'type': 'Device', 'keepLocalEvents': False}
                cluster['slaveDevices'] = [{'id': member, 'type': 'Device', 'keepLocalEvents': False}
                                           for member in unit.members[1:]]
            else:
                cluster['controlDevice'] = {'deviceDetails': self.member(unit.members[0])}
                cluster['dataDevices'] = [{'deviceDetails': self.member(member)} for member in unit.members[1:]]
            clusters.append(cluster)
        return clusters

    def deploying(self, unit_id, now):
        """Whether a deployment or a rollback of the unit is running."""
        return any(unit_id in job.units and job.running(now) for job in self.jobs)

    def _listed(self, unit, now):
        """The changes still listed: visible, and not deployed as of the jobs whose end the list has caught up with
        (a rollback lists again what the jobs after its target deployed)."""
        cleared = history.cleared_version(self.jobs, unit.id, now, self.lag)
        return [change for change in unit.pending(now) if change.version > cleared]

    def deployable(self, now):
        items = []
        for unit in self.units.values():
            changes = self._listed(unit, now)
            if not changes:
                continue
            deploying = self.deploying(unit.id, now)
            listed_type = LISTED_TYPES[unit.type]
            item = {
                'version': str(max(change.version for change in changes)), 'name': unit.name,
                'type': 'DeployableDevice', 'upToDate': False, 'isDeploying': deploying,
                'canBeDeployed': unit.can_deploy,  # FMC keeps it true while the device deploys
                'device': {'id': unit.id, 'type': listed_type, 'name': unit.name, 'keepLocalEvents': False},
                'deviceMembers': [self.member(member, listed_type if member == unit.id else 'SENSOR')
                                  for member in unit.members or [unit.id]],
                'domain': dict(GLOBAL_DOMAIN, uuid=GLOBAL_DOMAIN['id']),
                'trafficInterruption': unit.traffic,
                'policyStatusList': self._policy_statuses(unit, changes),
            }
            if deploying:
                item['message'] = IN_PROGRESS
            elif not unit.can_deploy:
                item['message'] = unit.cannot_message
            items.append(item)
        return items

    def _policy_statuses(self, unit, changes):
        """Every policy of the unit: the platform pages, unnamed and up to date, then each policy with changes."""
        oldest = min(change.version for change in changes) - 3600000
        statuses = [{'policy': {'id': '%s-%d' % (unit.id, index), 'type': page}, 'upToDate': True,
                     'trafficInterrupting': False, 'versionTimeStamp': oldest}
                    for index, page in enumerate(PLATFORM_PAGES)]
        for change in changes:
            statuses.append({'policy': {'id': 'policy-%s' % re.sub(r'\W', '-', change.policy),
                                        'type': change.policy_type, 'name': change.policy},
                             'upToDate': False, 'trafficInterrupting': unit.traffic == 'YES',
                             'versionTimeStamp': change.version,
                             'modifiedUserInfoList': [{'userName': 'admin', 'lastModifiedTime': change.version}]})
        return statuses

    def pending_changes(self, unit_id, now):
        """What each pending change adds, updates or deletes, in FMC's fields (``action`` in lower case)."""
        unit = self.units.get(unit_id)
        if unit is None:
            return None
        items = []
        for change in self._listed(unit, now):
            for index, entity in enumerate(change.entities):
                item = dict((key, value) for key, value in entity.items()
                            if key.startswith(('value', 'references', 'message')))
                item.update(action=str(entity.get('action', 'update')).lower(), entityName=entity.get('name', ''),
                            entityType=entity.get('type', 'AccessRule'), lastUpdatedByUsers=['admin'],
                            entityUUID='%s-%s-%d' % (unit.id, re.sub(r'\W', '-', change.policy), index),
                            parentUUID='policy-%s' % re.sub(r'\W', '-', change.policy))
                items.append(item)
        return items

    def job_histories(self, now, wanted):
        """Job history as FMC lists it, filtered by ``wanted`` (the filter's keys): see ``history.job_histories``."""
        return history.job_histories(self, now, wanted)

    def wall(self, monotonic):
        """The wall-clock time (epoch seconds) of a moment of the simulator's monotonic clock."""
        return self.wall_ms / 1000.0 + (monotonic - self.loaded)

    def job(self, job_id, now):
        """The job with this job history id that has started by ``now``, or None."""
        return next((job for job in self.jobs if job.job_id == job_id and job.started <= now), None)

    # Changes ----------------------------------------------------------------------------------------------

    def change(self, unit_id, spec, now, wall_ms):
        """Record a change made now; the deployable list shows it ``list_lag`` seconds later."""
        unit = self.units[str(unit_id)]
        unit.changes.append(Change(spec, wall_ms, now + self.lag))

    def start(self, unit_ids, version, now, seconds, note, user):
        """A deployment of the units, from now on for ``seconds``, each ending as its ``outcome`` says."""
        if version is None:
            version = max([change.version for u in unit_ids for change in self.units[u].changes] + [0])
        deployment = Job(len(self.jobs) + 1, unit_ids, now, now + seconds,
                         dict((u, self.units[u].outcome) for u in unit_ids), version=version, note=note, user=user)
        self.jobs.append(deployment)
        return deployment

    def request(self, body, now, wall_ms):
        """A deployment request: (HTTP status, error descriptions and category) or (202, the Deployment)."""
        ids = [str(device) for device in body['deviceList']]
        members = [device for device in ids if device in self.container]
        if members:
            return 400, (['Device %s is a member of %s; deploy %s instead.' % (
                members[0], self.container[members[0]].name, self.container[members[0]].name)], 'VALIDATION')
        units = [self.units[device] for device in ids if device in self.units]
        if any(self.deploying(unit.id, now) for unit in units):
            return 400, ([IN_PROGRESS], 'VALIDATION')
        blocked = [unit for unit in units if not unit.can_deploy]
        if blocked:
            return 400, ([blocked[0].cannot_message], 'VALIDATION')
        warnings = [warning for unit in units for warning in unit.warnings]
        if warnings and not body.get('ignoreWarning'):
            return 500, ([WARNINGS_FIRST] + warnings, 'VALIDATION')
        version = int(body.get('version') or wall_ms)
        return 202, self.start(ids, version, now, self.duration(len(ids)), body.get('deploymentNote', ''), API_USER)

    def roll_back(self, body, now):
        """A rollback request: (400, error descriptions) or (202, the ROLLBACK Job). See ``rollback.request``."""
        return rollback.request(self, body, now)

    def duration(self, units):
        """How long a job of this many units runs: the first unit ends after two steps, each further one
        ``stagger`` steps later."""
        return self.step * (2 + (units - 1) * self.stagger)

    def task_spec(self, job):
        """The task of a deployment (DEVICE_DEPLOYMENT) or rollback (DEVICE_ROLLBACK): one sub-task per unit, each
        ending in its own time."""
        words = TASK_WORDS[job.job_type]
        sub_tasks = [self._sub_task(job, index, unit_id, words) for index, unit_id in enumerate(job.units)]
        failures = sum(job.outcomes[unit_id] == 'failed' for unit_id in job.units)
        end = max(entry['timeline'][-1]['at'] for entry in sub_tasks)
        asked = words['asked'] % len(sub_tasks)
        return {
            'id': job.task_id, 'task_type': words['task_type'], 'hidden_for': self.hidden,
            'timeline': [
                {'at': 0, 'status': words['task'][0], 'message': asked + ' requested', 'description': asked},
                {'at': end, 'status': 'Failed' if failures else words['task'][1],
                 'message': words['failed_on'] % failures if failures else words['succeeded']}],
            'sub_tasks': sub_tasks,
        }

    def _sub_task(self, job, index, unit_id, words):
        unit = self.units[unit_id]
        failed = job.outcomes[unit_id] == 'failed'
        message = (unit.fail_message if job.job_type == DEPLOYMENT else unit.rollback_message) if failed else None
        return {'target': {'id': unit_id, 'name': unit.name, 'type': unit.type},
                'timeline': [
                    {'at': 0, 'status': 'Pending', 'message': words['waiting']},
                    {'at': self.step, 'status': words['working'][0], 'message': words['working'][1]},
                    {'at': self.step * (2 + index * self.stagger), 'status': 'Failed' if failed else 'Succeeded',
                     'message': message or words['succeeded']}]}
