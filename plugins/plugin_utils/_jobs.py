# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""FMC's deployment job history, read as FMC writes it.

A job (``jobType`` DEPLOYMENT, ROLLBACK or UNKNOWN) has a ``jobStatus`` in mixed case, ISO 8601 ``startTime`` and
``endTime``, and a ``deviceList`` in which each device has its own ``deploymentStatus`` in the device words
(SUCCEEDED, PARTIALLY_SUCCEEDED, FAILED, the SSP_/BOOTSTRAP_/BREAK_ families, DEPLOYING, CANCELLED, NONE), and a
member of an HA pair or cluster names its container (``containerUUID``). ``deployedVersion`` is a small
per-device counter, not a time: it is never compared with a deployable ``version``.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It does no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import re

from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import SYSTEM_CLOCK
from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import RUNNING, SUCCEEDED, flag, text_or_none as _text

# Words that say a device took no part (NONE) or the job was an edit lock (EDIT_INUSE): neither deployed nor
# deploying, and not an unknown status either.
NO_PART = frozenset(('none', 'edit_inuse'))
DEPLOYMENT, ROLLBACK = 'DEPLOYMENT', 'ROLLBACK'
# Epoch values below this are seconds, at or above it milliseconds (1e11 ms is March 1973, 1e11 s year 5138).
_MS_FROM = 10 ** 11
_ISO = re.compile(r'\A(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(Z|[+-]\d\d:?\d\d)?\Z',
                  re.IGNORECASE)


def epoch_ms(value, zone_required=False):
    """Milliseconds since the epoch of an FMC time: ISO 8601 text, or a number of seconds or milliseconds (as text
    or not). None when it is none of these, and, with ``zone_required``, for ISO text that names no zone (its
    offset from UTC is not known)."""
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    if text.isdigit():
        number = int(text)
        return number if number >= _MS_FROM else number * 1000
    match = _ISO.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    try:
        seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    except (ValueError, OverflowError):
        return None
    if zone_required and not match.group(8):
        return None
    offset = match.group(8) or 'Z'
    if offset.upper() != 'Z':
        sign = -1 if offset[0] == '-' else 1
        digits = offset[1:].replace(':', '')
        seconds -= sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    fraction = (match.group(7) or '0')[:3].ljust(3, '0')
    return seconds * 1000 + int(fraction)


def window_filter(since_seconds, until_seconds):
    """The job history filter for jobs that started in a time window: startTime and endTime together, in unix
    seconds, as Cisco's description says (the answer is checked again: see ``read_job``)."""
    return 'startTime:%d;endTime:%d' % (int(since_seconds), int(until_seconds))


def device_state(status, mapper):
    """The state of one device in a job from its ``deploymentStatus`` (None when it took no part)."""
    if status is None or not str(status).strip() or str(status).strip().lower() in NO_PART:
        return None
    return mapper.state(str(status))


def read_job(item, mapper):
    """One job history item as a dict: id, name, type, status, state, start_ms, end_ms, start_time and end_time (as
    FMC wrote them), note, user and devices
    ({id, name, container_id, container_name, status, state, can_rollback}); None for an item that is not an
    object. A device with no status of its own takes the job's; ``canRollback`` comes only in answers filtered
    by rollbackApplicable (else None)."""
    if not isinstance(item, dict):
        return None
    job_status = _text(item.get('jobStatus'))
    job_state = device_state(job_status, mapper)
    devices = []
    for entry in item.get('deviceList') or []:
        if not isinstance(entry, dict) or not entry.get('deviceUUID'):
            continue
        status = _text(entry.get('deploymentStatus'))
        devices.append({'id': str(entry['deviceUUID']), 'name': _text(entry.get('deviceName')),
                        'container_id': _text(entry.get('containerUUID')),
                        'container_name': _text(entry.get('containerName')), 'status': status or job_status,
                        'state': device_state(status, mapper) if status else job_state,
                        'can_rollback': flag(entry.get('canRollback'))})
    return {'id': _text(item.get('id')), 'name': _text(item.get('jobName')),
            'type': (_text(item.get('jobType')) or '').upper() or None, 'status': job_status, 'state': job_state,
            'start_ms': epoch_ms(item.get('startTime'), True), 'end_ms': epoch_ms(item.get('endTime'), True),
            'start_time': _text(item.get('startTime')), 'end_time': _text(item.get('endTime')),
            'note': _text(item.get('deploymentNote')), 'user': _text(item.get('user')), 'devices': devices}


def states_by_device(job):
    """{device id: [state of it, or of each of its members, in the job]}: a member of an HA pair or cluster counts
    for its container, which is what is deployed. Devices that took no part are left out."""
    states = {}
    for device in job['devices']:
        if device['state'] is not None:
            states.setdefault(device['container_id'] or device['id'], []).append(device['state'])
    return states


def deploying_devices(jobs):
    """The ids of the devices (pairs, clusters) that a job of any type is deploying now (any of their members is
    running)."""
    return set(device_id for job in jobs for device_id, states in states_by_device(job).items() if RUNNING in states)


def deployed_since(jobs, ended_since_ms):
    """{device id: start (epoch ms) of the newest DEPLOYMENT job, ended at or after ``ended_since_ms``, in which it
    (every member of it) succeeded, and with no rollback of it started after it}.

    What the deployable list still shows older than that start is list lag, which lasts seconds: a job that ended
    long ago, or was rolled back since, says nothing of what is pending now.
    """
    deployed = {}
    for job in jobs:
        if job['type'] != DEPLOYMENT or job['start_ms'] is None or (job['end_ms'] or 0) < ended_since_ms:
            continue
        for device_id, states in states_by_device(job).items():
            if states and all(state == SUCCEEDED for state in states):
                deployed[device_id] = max(deployed.get(device_id, 0), job['start_ms'])
    for job in jobs:
        if job['type'] == ROLLBACK:
            for device_id in states_by_device(job):
                if device_id in deployed and (job['start_ms'] is None or job['start_ms'] >= deployed[device_id]):
                    del deployed[device_id]
    return deployed


def recent(jobs, since_ms):
    """The jobs that started at or after ``since_ms``, whatever the server's filter let through; a job whose start
    cannot be read is kept (what it is deploying still counts), though it gives no list lag credit."""
    return [job for job in jobs if job is not None and (job['start_ms'] is None or job['start_ms'] >= since_ms)]


def now_ms(clock=SYSTEM_CLOCK):
    """The wall clock's time in epoch milliseconds (what FMC's versions and job times count in)."""
    return int(clock.now() * 1000)
