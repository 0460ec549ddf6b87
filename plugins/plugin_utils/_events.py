# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The events of the fmc_events source, from what FMC lists: ended jobs of job history, and devices whose changes have
been pending too long; and what has been seen (``EventState``), so that each event is put once.

What is seen is kept by job id, not by time: a job is remembered while it runs (however long, up to HORIZON), and
once it has ended its id is kept while it can still be listed (its start lies in the window read); at most
MAX_ENDED ids (beyond that, the window starts after the ids let go). A pending version is kept per device while
the device is listed with it. The state is plain JSON, for a store; what a store gives back is checked field by
field. Ids of jobs and devices that are not plain identifiers are left out (they go into event ids).

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It does no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import time

from ansible_collections.cisco.cdfmc.plugins.module_utils._display import escaped, shown
from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import (
    CANCELLED, FAILED, PENDING, RUNNING, SUCCEEDED, TERMINAL_STATES, UNKNOWN, flag)
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._deploy_plan import pending_policies
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._devices import record_type
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._jobs import DEPLOYMENT, ROLLBACK

DEPLOYMENT_KIND, PENDING_KIND = 'deployment', 'pending'
KINDS = (DEPLOYMENT_KIND, PENDING_KIND)
# With nothing seen before: the jobs that started in the last hours are read (what runs is followed to its end).
LOOKBACK = 6 * 3600 * 1000
# The window reaches this far before the last poll: FMC's clock may differ from ours, a job is listed late.
MARGIN = 3600 * 1000
# Never further back than this (a source down longer misses what started and ended meanwhile, and starts afresh).
HORIZON = 7 * 86400 * 1000
# The window ends this far ahead of our clock: a job FMC dates later than we do is still listed.
AHEAD = 86400 * 1000
MAX_ENDED = 10000
# What an id of FMC's (a UUID, a number) is made of: anything else is not put into an event or its id.
PLAIN_ID = re.compile(r'[A-Za-z0-9._:-]{1,128}\Z')
SOURCE = 'cisco.cdfmc.fmc_events'


def _text(value, cut=False):
    if value is None:
        return None
    return shown(value) if cut else escaped(str(value))


def plain_id(value):
    """``value`` as text when it is a plain identifier (letters, digits, ``._:-``; a UUID, a number), else None."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value) if PLAIN_ID.match(str(value)) else None


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
    devices = [(device_facts(device), device['status']) for device in job['devices'] if device['state'] is not None]
    events = [{'cdfmc': {'kind': DEPLOYMENT_KIND, 'id': '%s:%s' % (DEPLOYMENT_KIND, job['id']), 'state': job['state'],
                         'job': facts, 'devices': [device for device, _status in devices],
                         'message': _text(job['status'], True)}}]
    for device, status in devices:
        events.append({'cdfmc': {
            'kind': DEPLOYMENT_KIND, 'id': '%s:%s:%s' % (DEPLOYMENT_KIND, job['id'], device['id']),
            'state': device['state'], 'device': dict((key, device[key]) for key in ('id', 'name', 'type')),
            'container': device['container'], 'job': facts, 'message': _text(status, True)}})
    return events


def devices_state(devices):
    """The state of a job as its devices' say: None while one runs (or none took part), else failed if one failed,
    cancelled if one was, succeeded if all succeeded, else unknown."""
    states = set(device['state'] for device in devices if device['state'] is not None)
    if not states or states & set((PENDING, RUNNING)):
        return None
    for state in (FAILED, CANCELLED):
        if state in states:
            return state
    return SUCCEEDED if states == set((SUCCEEDED,)) else UNKNOWN


def job_state(own, by_devices):
    """The state of a job, from its own (FMC's jobStatus mapped, None when it has none) and its devices'
    (``devices_state``): a job that reads succeeded or unknown but where a device failed (or was cancelled) is
    failed (cancelled), as a task with a failed sub-task is; Cisco does not say that jobStatus follows its devices."""
    if own is None or (own in (SUCCEEDED, UNKNOWN) and by_devices in (FAILED, CANCELLED)):
        return by_devices
    return own


def ended(job):
    """True once a job has ended: its state is terminal, or not known but FMC gives it an end."""
    return job['state'] in TERMINAL_STATES or (job['state'] in (UNKNOWN, None) and job['end_ms'] is not None)


def iso_time(epoch_ms):
    """ISO 8601 text in UTC, to the second, as FMC writes job times."""
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(epoch_ms // 1000))


def pending_event(item, since_ms):
    """The event of a device (an item of the deployable list) pending since ``since_ms`` (when first seen, or last
    seen deploying); its device id and version are plain ids (see ``EventState.take_deployable``)."""
    device = item['device']
    device_id, version = str(device['id']), str(item['version'])
    return {'cdfmc': {
        'kind': PENDING_KIND, 'id': '%s:%s:%s' % (PENDING_KIND, device_id, version), 'state': 'pending',
        'device': {'id': device_id, 'name': _text(device.get('name') or item.get('name')),
                   'type': record_type(device.get('type'))},
        'version': version, 'pending_since': iso_time(since_ms),
        'policies': [_text(name) for name in pending_policies(item)],
        'message': _text(item['message'], True) if item.get('message') is not None else None}}


def _ms(value):
    """An epoch time in ms from the store, or None (the store is not trusted)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _ids(value):
    """{id: epoch ms} from a stored mapping, what is not that left out."""
    if not isinstance(value, dict):
        return {}
    return dict((str(key), ms) for key, ms in value.items() if _ms(ms) is not None)


def _pending(value):
    """{device id: {version, since, put}} from a stored mapping, what is not that left out."""
    if not isinstance(value, dict):
        return {}
    return dict((str(key), {'version': seen['version'], 'since': seen['since'], 'put': seen.get('put') is True})
                for key, seen in value.items()
                if isinstance(seen, dict) and isinstance(seen.get('version'), str) and _ms(seen.get('since')) is not None)


class EventState:
    """What the source has seen: ``ended`` (job id -> start, ms: its events were put), ``running`` (job id -> start,
    followed until it ends), ``polled_ms`` (the last poll, None before the first: then the jobs that have already
    ended are taken as seen, without events), ``started_ms`` (the first poll of this state), ``floor_ms`` (the window
    never starts before it: set when more than MAX_ENDED ids would be kept) and ``pending`` (device id -> {version,
    since, put}). A stored state last polled more than HORIZON before ``now_ms`` is taken as none (a fresh start), as
    the Redis key expires. ``warn`` is told once of each kind of thing left out."""

    def __init__(self, data=None, now_ms=None, warn=None):
        data = data if isinstance(data, dict) else {}
        polled = _ms(data.get('polled_ms'))
        if polled is not None and now_ms is not None and now_ms - polled > HORIZON:
            data, polled = {}, None
        self.ended, self.running = _ids(data.get('ended')), _ids(data.get('running'))
        self.polled_ms, self.started_ms, self.floor_ms = polled, _ms(data.get('started_ms')), _ms(data.get('floor_ms'))
        self.pending = _pending(data.get('pending'))
        self._warn, self._told = warn, set()

    def data(self):
        """The state as plain JSON."""
        return {'ended': dict(self.ended), 'running': dict(self.running), 'polled_ms': self.polled_ms,
                'started_ms': self.started_ms, 'floor_ms': self.floor_ms,
                'pending': dict((key, dict(value)) for key, value in self.pending.items())}

    def _tell(self, what, message):
        if what not in self._told and self._warn is not None:
            self._told.add(what)
            self._warn('%s: %s' % (SOURCE, message))

    def window(self, now_ms):
        """(since, until) in epoch ms: the jobs to read are those that started in it. It reaches back to the start of
        every job followed, even past ``floor_ms`` (the jobs before that are then listed, but not taken)."""
        since = now_ms - LOOKBACK if self.polled_ms is None else min(self.polled_ms - MARGIN, now_ms - MARGIN)
        since = max(since, now_ms - HORIZON, self.floor_ms or since)
        return min([since] + list(self.running.values())), now_ms + AHEAD

    def _plain(self, job):
        """The job with plain ids only (None when its own id is not one: left out, and told once)."""
        if plain_id(job['id']) is None:
            self._tell('job', 'FMC lists a job whose id is not a plain identifier (%s); it is left out'
                       % shown(job['id'], 80))
            return None
        devices = []
        for device in job['devices']:
            if plain_id(device['id']) is None:
                self._tell('device', 'FMC lists a device whose id is not a plain identifier (%s) in job %s; it is '
                           'left out' % (shown(device['id'], 80), job['id']))
            else:
                devices.append(dict(device, container_id=plain_id(device['container_id'])))
        return dict(job, devices=devices, state=job_state(job['state'], devices_state(devices)))

    def _before_start(self, job, start):
        """True for a job not followed that started before the first poll's window and ended before that poll:
        a window widened for a job that runs long lists it, but it had ended before the source began."""
        return (self.started_ms is not None and start < self.started_ms - LOOKBACK
                and (job['end_ms'] is None or job['end_ms'] < self.started_ms))

    def take_jobs(self, jobs, now_ms):
        """The events of the jobs (read by _jobs.read_job) that have ended since they were last seen, oldest first;
        what is seen is remembered. UNKNOWN (system) jobs are left out."""
        since, _until = self.window(now_ms)
        since = max(since, self.floor_ms or since)  # the jobs before the floor are listed for a job followed only
        baseline, events = self.polled_ms is None, []
        if baseline:
            self.started_ms = now_ms
        jobs = [job for job in (self._plain(job) for job in jobs if job and job['id']) if job is not None]
        for job in sorted(jobs, key=lambda job: (job['start_ms'] or now_ms, job['id'])):
            start = job['start_ms'] if job['start_ms'] is not None else now_ms
            if job['type'] not in (DEPLOYMENT, ROLLBACK) or job['id'] in self.ended:
                continue
            if not ended(job):
                self.running[job['id']] = start
            elif job['id'] in self.running or start >= since:  # the server's filter is checked again
                followed = self.running.pop(job['id'], None) is not None
                self.ended[job['id']] = start
                if not baseline and (followed or not self._before_start(job, start)):
                    events.extend(job_events(dict(job, state=job['state'] or UNKNOWN)))
        self._forget(since, now_ms)
        return events

    def _forget(self, since, now_ms):
        """Forget the running jobs that started more than HORIZON ago, and the ended ones that can no longer be
        listed; keep MAX_ENDED ids at most, the newest: when ids still in the window must go, the window starts
        after them from then on (told once)."""
        for job_id, start in list(self.running.items()):
            if start < now_ms - HORIZON:
                del self.running[job_id]
        kept = sorted((pair for pair in self.ended.items() if pair[1] >= since - MARGIN), key=lambda pair: pair[1])
        dropped, kept = kept[:max(len(kept) - MAX_ENDED, 0)], kept[-MAX_ENDED:]
        if dropped and dropped[-1][1] >= since:
            self.floor_ms = max(self.floor_ms or 0, dropped[-1][1] + 1)  # it never moves back
            self._tell('floor', 'more than %d jobs ended in the window read; the jobs that started before %s are no '
                       'longer read' % (MAX_ENDED, iso_time(self.floor_ms)))
        self.ended = dict(kept)

    def take_deployable(self, items, now_ms, older_than_ms):
        """The events of the devices of the deployable list whose pending version was first seen (or the device
        last seen deploying) ``older_than_ms`` ago or more, once per device and version; devices no longer listed
        are forgotten."""
        events, listed = [], set()
        for item in items:
            device = item.get('device') if isinstance(item, dict) else None
            if not isinstance(device, dict) or not device.get('id') or item.get('version') in (None, ''):
                continue
            device_id, version = plain_id(device['id']), plain_id(item['version'])
            if device_id is None or version is None:
                self._tell('pending', 'FMC lists a device whose id or version is not a plain identifier (%s, %s); it '
                           'is left out' % (shown(device['id'], 80), shown(item['version'], 80)))
                continue
            listed.add(device_id)
            seen = self.pending.get(device_id)
            if seen is None or seen.get('version') != version:
                seen = self.pending[device_id] = {'version': version, 'since': now_ms, 'put': False}
            if flag(item.get('isDeploying')) and not seen.get('put'):
                # Being deployed: its age starts again (FMC may list it a while longer once the deployment is done).
                seen['since'] = now_ms
            elif not seen.get('put') and now_ms - seen['since'] >= older_than_ms:
                seen['put'] = True
                events.append(pending_event(item, seen['since']))
        for device_id in [device_id for device_id in self.pending if device_id not in listed]:
            del self.pending[device_id]
        return events

    def polled(self, now_ms):
        """Remember a poll that read everything it had to."""
        self.polled_ms = now_ms
