# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The events of the fmc_events source, from what FMC lists: ended jobs of job history, and devices whose changes have
been pending too long; and what has been seen (``EventState``), so that each event is put once.

What is seen is kept by job id, not by time: a job is remembered while it runs (however long), and once it has
ended its id is kept while it can still be listed (its start lies in the window read); at most MAX_ENDED ids. A
pending version is kept per device while the device is listed with it. The state is plain JSON, for a store.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It does no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.cisco.cdfmc.plugins.module_utils._display import escaped, shown
from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import TERMINAL_STATES, UNKNOWN
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._devices import record_type
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._jobs import DEPLOYMENT, ROLLBACK

DEPLOYMENT_KIND, PENDING_KIND = 'deployment', 'pending'
KINDS = (DEPLOYMENT_KIND, PENDING_KIND)
# With nothing seen before: the jobs that started in the last hours are read (what runs is followed to its end).
LOOKBACK = 6 * 3600 * 1000
# The window reaches this far before the last poll: FMC's clock may differ from ours, a job is listed late.
MARGIN = 3600 * 1000
# Never further back than this (a source down longer misses what started and ended meanwhile).
HORIZON = 7 * 86400 * 1000
# The window ends this far ahead of our clock: a job FMC dates later than we do is still listed.
AHEAD = 86400 * 1000
MAX_ENDED = 10000


def _text(value, cut=False):
    if value is None:
        return None
    return shown(value) if cut else escaped(str(value))


def job_facts(job):
    """The ``job`` of an event: FMC's words, escaped (the note cut as all server text is)."""
    return {'id': job['id'], 'name': _text(job['name']), 'type': job['type'], 'note': _text(job['note'], True),
            'user': _text(job['user']), 'start_time': _text(job['start_time']), 'end_time': _text(job['end_time'])}


def _container(device):
    if not device['container_id']:
        return None
    return {'id': device['container_id'], 'name': _text(device['container_name'])}


def device_facts(device):
    """{id, name, type, state, container ({id, name}, or None)} of one device of a job."""
    return {'id': device['id'], 'name': _text(device['name']), 'type': record_type(None), 'state': device['state'],
            'container': _container(device)}


def job_events(job):
    """The events of an ended job: one for the job (``devices`` lists each device with its state), then one per device
    that took part in it, in the order FMC lists them."""
    facts = job_facts(job)
    devices = [device_facts(device) for device in job['devices'] if device['state'] is not None]
    events = [{'cdfmc': {'kind': DEPLOYMENT_KIND, 'id': '%s:%s' % (DEPLOYMENT_KIND, job['id']), 'state': job['state'],
                         'job': facts, 'devices': devices, 'message': _text(job['status'], True)}}]
    for device, source in zip(devices, [entry for entry in job['devices'] if entry['state'] is not None]):
        events.append({'cdfmc': {
            'kind': DEPLOYMENT_KIND, 'id': '%s:%s:%s' % (DEPLOYMENT_KIND, job['id'], device['id']),
            'state': device['state'], 'device': dict((key, device[key]) for key in ('id', 'name', 'type')),
            'container': device['container'], 'job': facts, 'message': _text(source['status'], True)}})
    return events


def ended(job):
    """True once a job has ended: its state is terminal, or not known but FMC gives it an end."""
    return job['state'] in TERMINAL_STATES or (job['state'] in (UNKNOWN, None) and job['end_ms'] is not None)


def iso_time(epoch_ms):
    """ISO 8601 text in UTC, to the second, as FMC writes job times."""
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(epoch_ms // 1000))


def pending_event(item, since_ms):
    """The event of a device (an item of the deployable list) pending since ``since_ms`` (when first seen)."""
    device = item.get('device') if isinstance(item.get('device'), dict) else {}
    policies = [status.get('policy') for status in item.get('policyStatusList') or []
                if isinstance(status, dict) and status.get('upToDate') is False and isinstance(status.get('policy'), dict)]
    return {'cdfmc': {
        'kind': PENDING_KIND, 'id': '%s:%s:%s' % (PENDING_KIND, device['id'], item['version']), 'state': 'pending',
        'device': {'id': str(device['id']), 'name': _text(device.get('name') or item.get('name')),
                   'type': record_type(device.get('type'))},
        'version': str(item['version']), 'pending_since': iso_time(since_ms),
        'policies': [_text(policy.get('name') or policy.get('type')) for policy in policies],
        'message': _text(item['message'], True) if item.get('message') is not None else None}}


def _ids(value):
    """{id: epoch ms} from a stored mapping, what is not that left out (the store is not trusted)."""
    if not isinstance(value, dict):
        return {}
    return dict((str(key), int(ms)) for key, ms in value.items()
                if isinstance(ms, int) and not isinstance(ms, bool))


class EventState:
    """What the source has seen: ``ended`` (job id -> start, ms: its events were put), ``running`` (job id -> start,
    followed until it ends), ``polled_ms`` (the last poll, None before the first: then the jobs that have already
    ended are taken as seen, without events) and ``pending`` (device id -> {version, since, put})."""

    def __init__(self, data=None):
        data = data if isinstance(data, dict) else {}
        self.ended, self.running = _ids(data.get('ended')), _ids(data.get('running'))
        polled = data.get('polled_ms')
        self.polled_ms = polled if isinstance(polled, int) and not isinstance(polled, bool) else None
        self.pending = dict((str(key), value) for key, value in (data.get('pending') or {}).items()
                            if isinstance(value, dict) and isinstance(value.get('since'), int))
        self.started_ms = None  # the first poll of this run

    def data(self):
        """The state as plain JSON."""
        return {'ended': dict(self.ended), 'running': dict(self.running), 'polled_ms': self.polled_ms,
                'pending': dict((key, dict(value)) for key, value in self.pending.items())}

    def window(self, now_ms):
        """(since, until) in epoch ms: the jobs to read are those that started in it."""
        since = now_ms - LOOKBACK if self.polled_ms is None else min(self.polled_ms - MARGIN, now_ms - MARGIN)
        since = min([since] + list(self.running.values()))
        return max(since, now_ms - HORIZON), now_ms + AHEAD

    def take_jobs(self, jobs, now_ms):
        """The events of the jobs (read by _jobs.read_job) that have ended since they were last seen, oldest first;
        what is seen is remembered. UNKNOWN (system) jobs are left out."""
        since, _until = self.window(now_ms)
        baseline, events, listed = self.polled_ms is None, [], set()
        for job in sorted((job for job in jobs if job and job['id']), key=lambda job: (job['start_ms'] or now_ms,
                                                                                       job['id'])):
            start = job['start_ms'] if job['start_ms'] is not None else now_ms
            listed.add(job['id'])
            if job['type'] not in (DEPLOYMENT, ROLLBACK) or job['id'] in self.ended:
                continue
            if not ended(job):
                self.running[job['id']] = start
            elif job['id'] in self.running or start >= since:  # the server's filter is checked again
                self.running.pop(job['id'], None)
                self.ended[job['id']] = start
                if not baseline and job['state'] is not None:
                    events.extend(job_events(job))
        self._forget(listed, since, now_ms)
        return events

    def _forget(self, listed, since, now_ms):
        """Forget the running jobs no longer listed though their start is in the window, and the ended ones that can no
        longer be listed; keep MAX_ENDED ids at most, the newest."""
        for job_id, start in list(self.running.items()):
            if (job_id not in listed and start >= since) or start < now_ms - HORIZON:
                del self.running[job_id]
        kept = sorted(self.ended.items(), key=lambda pair: pair[1])
        self.ended = dict((job_id, start) for job_id, start in kept[-MAX_ENDED:] if start >= since - MARGIN)

    def take_deployable(self, items, now_ms, older_than_ms):
        """The events of the devices of the deployable list whose pending version was first seen ``older_than_ms``
        ago or more, once per device and version; devices no longer listed are forgotten."""
        events, listed = [], set()
        for item in items:
            device = item.get('device') if isinstance(item, dict) else None
            if not isinstance(device, dict) or not device.get('id') or item.get('version') in (None, ''):
                continue
            device_id, version = str(device['id']), str(item['version'])
            listed.add(device_id)
            seen = self.pending.get(device_id)
            if seen is None or seen.get('version') != version:
                seen = self.pending[device_id] = {'version': version, 'since': now_ms, 'put': False}
            if not seen.get('put') and now_ms - seen['since'] >= older_than_ms:
                seen['put'] = True
                events.append(pending_event(item, seen['since']))
        for device_id in [device_id for device_id in self.pending if device_id not in listed]:
            del self.pending[device_id]
        return events

    def polled(self, now_ms):
        """Remember a poll that read everything it had to."""
        self.polled_ms = now_ms
