# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The managed devices of the simulated FMC, their pending changes, and the deployments made to them.

What FMC-FACTS.md says of deployments, modelled: devices, HA pairs and clusters (a member is deployed through
its container); the deployable list (only what has something to deploy, an empty list has no ``items``),
which lags a change and a deployment's end by ``list_lag`` seconds; ``isDeploying`` and DEPLOYING job
histories while a deployment runs; a deployment request refused for a device that is deploying, for warnings
(HTTP 500 VALIDATION, unless ``ignoreWarning``) and for a device that cannot be deployed; succeeded devices
leave the list once their deployment ends, failed ones stay. No sockets: the Simulator routes requests here.
"""

import re

IN_PROGRESS = 'Cannot perform deployment to the device, as another deployment is in progress for the device.'
WARNINGS_FIRST = 'Errors or warnings present in Device committed policies:'
UNIT_TYPES = {'devices': 'Device', 'ha_pairs': 'DeviceHAPair', 'clusters': 'DeviceCluster'}


class Change:
    """One pending change: a policy (and, for pendingchanges, an entity in it), from a version on."""

    def __init__(self, spec, version, visible_at):
        spec = spec if isinstance(spec, dict) else {'policy': str(spec)}
        self.policy = spec.get('policy', 'Policy')
        self.policy_type = spec.get('type', 'AccessPolicy')
        default = {'name': '%s rule' % self.policy, 'type': 'AccessRule', 'action': 'UPDATE'}
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
        self.deployed_version = 0

    def pending(self, now):
        """The changes the deployable list shows now."""
        return [change for change in self.changes if change.visible_at <= now]


class Deployment:
    """One deployment job: its units, the version deployed, when it runs, and how each unit ends."""

    def __init__(self, number, units, version, started, end, note, by, outcomes):
        self.number, self.units, self.version = number, units, version
        self.started, self.end, self.note, self.by = started, end, note, by
        self.outcomes = outcomes
        self.task_id = str(8589934592 + number)

    def running(self, now):
        return self.started <= now < self.end

    def outcome(self, unit):
        return self.outcomes.get(unit.id)


class Fleet:
    """The devices of the scenario (``devices``, ``ha_pairs``, ``clusters``) and the deployments made to them."""

    def __init__(self, scenario, now, wall_ms):
        deployment = scenario.get('deployment') or {}
        self.lag = float(deployment.get('list_lag', 0))
        self.step = float(deployment.get('step_seconds', 1.0))
        self.stagger = float(deployment.get('stagger', 0))
        self.hidden = float(deployment.get('hidden_seconds', 0))
        self.wall_ms, self.loaded = wall_ms, now
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
        self.deployments = []
        for spec in scenario.get('deploying') or []:  # deployments of another administrator, already running
            self.start([str(unit) for unit in spec['units']], None, now, float(spec.get('seconds', 5)), '', 'other')

    # Reads ------------------------------------------------------------------------------------------------

    def _member(self, device_id):
        spec = self.devices.get(device_id, {'id': device_id})
        return {'id': device_id, 'name': spec.get('name', device_id), 'type': 'Device'}

    def device_records(self):
        return [self._member(device_id) for device_id in self.devices]

    def ha_pairs(self):
        return [{'id': unit.id, 'name': unit.name, 'type': unit.type, 'primary': self._member(unit.members[0]),
                 'secondary': self._member(unit.members[1])}
                for unit in self.units.values() if unit.type == 'DeviceHAPair']

    def clusters(self):
        return [{'id': unit.id, 'name': unit.name, 'type': unit.type,
                 'controlDevice': {'deviceDetails': self._member(unit.members[0])},
                 'dataDevices': [{'deviceDetails': self._member(member)} for member in unit.members[1:]]}
                for unit in self.units.values() if unit.type == 'DeviceCluster']

    def deploying(self, unit_id, now):
        return any(unit_id in deployment.units and deployment.running(now) for deployment in self.deployments)

    def _listed(self, unit, now):
        """The changes still listed: visible, and not deployed by a deployment whose end the list has caught up with."""
        cleared = max([d.version for d in self.deployments if unit.id in d.units and d.outcome(unit) == 'succeeded'
                       and d.end + self.lag <= now] + [0])
        return [change for change in unit.pending(now) if change.version > cleared]

    def deployable(self, now):
        items = []
        for unit in self.units.values():
            changes = self._listed(unit, now)
            if not changes:
                continue
            deploying = self.deploying(unit.id, now)
            item = {
                'version': str(max(change.version for change in changes)), 'name': unit.name,
                'type': 'DeployableDevice', 'upToDate': False, 'isDeploying': deploying,
                'canBeDeployed': unit.can_deploy and not deploying,
                'device': {'id': unit.id, 'type': unit.type, 'name': unit.name},
                'deviceMembers': [self._member(member) for member in unit.members],
                'trafficInterruption': unit.traffic,
                'policyStatusList': [{'upToDate': False, 'policy': {
                    'id': 'policy-%s' % re.sub(r'\W', '-', change.policy), 'type': change.policy_type,
                    'name': change.policy}} for change in changes],
            }
            if deploying:
                item['message'] = IN_PROGRESS
            elif not unit.can_deploy:
                item['message'] = unit.cannot_message
            items.append(item)
        return items

    def pending_changes(self, unit_id, now):
        unit = self.units.get(unit_id)
        if unit is None:
            return None
        return [dict(entity, policy={'name': change.policy, 'type': change.policy_type})
                for change in self._listed(unit, now) for entity in change.entities]

    def job_histories(self, now, job_type=None, status=None, start_time=None):
        """Deployment jobs, filtered as FMC's filter does: jobType, status, startTime (epoch seconds, at or after)."""
        items = []
        for deployment in self.deployments:
            job_status = 'DEPLOYING' if deployment.running(now) else (
                'FAILED' if any(deployment.outcome(self.units[u]) == 'failed' for u in deployment.units) else 'DEPLOYED')
            started = (self.wall_ms / 1000.0) + (deployment.started - self.loaded)
            if job_type not in (None, 'DEPLOYMENT') or status not in (None, job_status):
                continue
            if start_time is not None and started < float(start_time):
                continue
            items.append({'id': 'job-%d' % deployment.number, 'jobType': 'DEPLOYMENT', 'jobStatus': job_status,
                          'startTime': int(started), 'endTime': int(started + deployment.end - deployment.started),
                          'jobName': 'Deployment %d' % deployment.number, 'deploymentNote': deployment.note,
                          'user': 'automation' if deployment.by == 'api' else 'another-admin',
                          'deviceList': self._job_device_list(deployment, now)})
        return items

    def _job_device_list(self, deployment, now):
        """A job's devices as FMC lists them: each member of a pair or cluster with its ``containerUUID``, each
        with its own ``deploymentStatus``."""
        entries = []
        for unit_id in deployment.units:
            unit = self.units[unit_id]
            status = 'DEPLOYING' if deployment.running(now) else (
                'FAILED' if deployment.outcome(unit) == 'failed' else 'DEPLOYED')
            for device_id in unit.members or [unit.id]:
                entry = {'deviceUUID': device_id, 'deploymentStatus': status, 'deployedVersion': str(deployment.version)}
                if unit.members:
                    entry['containerUUID'] = unit.id
                entries.append(entry)
        return entries

    # Changes ----------------------------------------------------------------------------------------------

    def change(self, unit_id, spec, now, wall_ms):
        """Record a change made now; the deployable list shows it ``list_lag`` seconds later."""
        unit = self.units[str(unit_id)]
        unit.changes.append(Change(spec, wall_ms, now + self.lag))

    def start(self, unit_ids, version, now, seconds, note, by):
        if version is None:
            version = max([change.version for u in unit_ids for change in self.units[u].changes] + [0])
        deployment = Deployment(len(self.deployments) + 1, unit_ids, version, now, now + seconds, note, by,
                                dict((u, self.units[u].outcome) for u in unit_ids))
        self.deployments.append(deployment)
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
        end = self.step * (2 + (len(ids) - 1) * self.stagger)
        return 202, self.start(ids, version, now, end, body.get('deploymentNote', ''), 'api')

    def task_spec(self, deployment):
        """The DEVICE_DEPLOYMENT task of a deployment: one sub-task per device, each ending in its own time."""
        sub_tasks, failures = [], 0
        for index, unit_id in enumerate(deployment.units):
            unit = self.units[unit_id]
            failed = unit.outcome == 'failed'
            message = unit.fail_message if failed else None
            failures += failed
            done_at = self.step * (2 + index * self.stagger)
            sub_tasks.append({'target': {'id': unit_id, 'name': unit.name, 'type': unit.type},
                              'timeline': [
                                  {'at': 0, 'status': 'Pending', 'message': 'Waiting to deploy'},
                                  {'at': self.step, 'status': 'Deploying', 'message': 'Deploying configuration'},
                                  {'at': done_at, 'status': 'Failed' if failed else 'Succeeded',
                                   'message': message or ('Deployment failed' if failed else 'Deployment succeeded')}]})
        end = max(entry['timeline'][-1]['at'] for entry in sub_tasks)
        return {
            'id': deployment.task_id, 'task_type': 'DEVICE_DEPLOYMENT', 'hidden_for': self.hidden,
            'timeline': [
                {'at': 0, 'status': 'Deploying', 'message': 'Deployment to %d device(s) requested' % len(sub_tasks),
                 'description': 'Deployment to %d device(s)' % len(sub_tasks)},
                {'at': end, 'status': 'Failed' if failures else 'Deployed',
                 'message': 'Deployment failed on %d device(s)' % failures if failures else 'Deployment succeeded'}],
            'sub_tasks': sub_tasks,
        }
