# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Task facts: the API's task status JSON turned into one stable shape.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It does no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cisco.cdfmc.plugins.module_utils._display import shown
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError

PENDING = 'pending'
RUNNING = 'running'
SUCCEEDED = 'succeeded'
FAILED = 'failed'
CANCELLED = 'cancelled'
UNKNOWN = 'unknown'

STATES = (PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED, UNKNOWN)
TERMINAL_STATES = frozenset((SUCCEEDED, FAILED, CANCELLED))

_BUILTIN_STATUSES = {
    PENDING: ('PENDING', 'QUEUED', 'SCHEDULED', 'NOT_STARTED'),
    RUNNING: ('RUNNING', 'IN_PROGRESS', 'DEPLOYING', 'EXECUTING'),
    SUCCEEDED: ('SUCCESS', 'SUCCEEDED', 'SUCCESSFUL', 'COMPLETED', 'DEPLOYED', 'DONE'),
    FAILED: ('FAILED', 'FAILURE', 'ERROR', 'ABORTED'),
    CANCELLED: ('CANCELLED', 'CANCELED'),
}

BUILTIN_STATUS_MAP = dict(
    (status.lower(), state) for state, statuses in _BUILTIN_STATUSES.items() for status in statuses
)

# Families of device-level statuses (SSP_*, PRIMARY_BOOTSTRAP_*, BREAK_*, ...) map by their ending,
# longest first: a partial success is a failure.
PARTIAL_SUCCESS = 'partially_succeeded'
_STATUS_SUFFIXES = (
    (PARTIAL_SUCCESS, FAILED),
    ('_succeeded', SUCCEEDED),
    ('_failed', FAILED),
)

# Registration outcomes that Cisco's own automation reads from a task's message, matched exactly.
MESSAGE_STATES = {
    'device_successfully_registered': SUCCEEDED,
    'discovery_success': SUCCEEDED,
    'registration_failed': FAILED,
    'deployment_failed': FAILED,
    'discovery_failed': FAILED,
    'registration_in_progress': RUNNING,
}
# Task types whose outcome FMC gives in the message (Cisco's FTDv automation decides on it), and tasks without a
# task type, where a word in the message wins over a status that is not terminal. A deployment is decided by its
# sub-tasks instead.
_MESSAGE_DECIDES = ('registration', 'discovery')


def task_facts_argument_spec():
    """The options that shape task facts, shared by the module and the action plugin."""
    return dict(
        detailed_device_status=dict(type='bool', default=True),
        status_map=dict(type='dict'),
        include_raw=dict(type='bool', default=True),
    )


def flag(value):
    """True, False or None (absent or neither) from a JSON boolean or its text, as FMC sends either."""
    if value is None or isinstance(value, bool):
        return value
    return {'true': True, 'false': False}.get(str(value).strip().lower())


def text_or_none(value):
    """Return value as text, or None when it is absent."""
    if value is None:
        return None
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (int, float)):
        return str(value)
    # A list or an object where text belongs: keep it visible rather than lose it.
    return repr(value)


def normalize_status_map(status_map):
    """Check a user ``status_map`` and return it with lower-case keys.

    Raises CdfmcOptionError naming every entry whose value is not a state.
    """
    if status_map is None:
        return {}
    if not isinstance(status_map, dict):
        raise CdfmcOptionError(
            'status_map must be a dictionary of raw status to state, got %s' % type(status_map).__name__)
    normalized = {}
    bad = []
    for raw_status, state in status_map.items():
        key = str(raw_status).strip().lower()
        value = str(state).strip().lower() if isinstance(state, str) else state
        if not key or value not in STATES:
            bad.append('%r: %r' % (str(raw_status), state))
            continue
        normalized[key] = value
    if bad:
        raise CdfmcOptionError(
            'status_map has invalid entries (%s); keys must be non-empty statuses and values one of %s'
            % (', '.join(sorted(bad)), ', '.join(STATES)))
    return normalized


def _status_key(status):
    return str(status).strip().lower()


def _suffix_state(key):
    for suffix, state in _STATUS_SUFFIXES:
        if key.endswith(suffix):
            return state
    return None


def is_partial_success(status):
    """True for PARTIALLY_SUCCEEDED and its families (``PRIMARY_BOOTSTRAP_PARTIALLY_SUCCEEDED``...)."""
    return status is not None and _status_key(status).endswith(PARTIAL_SUCCESS)


def describe_state(status, state):
    """A state in words for messages: a failure that was a partial success says so."""
    if state == FAILED and is_partial_success(status):
        return 'failed (partially succeeded)'
    return state


class StatusMapper:
    """Maps raw statuses to states: the user's status_map first, then the built-in table, then the
    endings of status families; a registration outcome in the message where the status says nothing.

    ``warn`` is called once per raw status that maps to unknown.
    """

    def __init__(self, status_map=None, warn=None):
        self._status_map = normalize_status_map(status_map)
        self._warn = warn
        self._warned = set()

    def state(self, status):
        """Return the state of one raw status (None or empty gives unknown)."""
        if status is None:
            return UNKNOWN
        key = _status_key(status)
        if key in self._status_map:
            return self._status_map[key]
        state = BUILTIN_STATUS_MAP.get(key) or _suffix_state(key)
        if state is not None:
            return state
        if key and key not in self._warned:
            self._warned.add(key)
            if self._warn is not None:
                self._warn(
                    'cisco.cdfmc: task status %r is not known and is treated as unknown (not terminal); '
                    'map it with the status_map option, for example status_map: {%r: succeeded}'
                    % (shown(status), shown(status)))
        return UNKNOWN

    def outcome(self, status, message, message_decides=False):
        """The state of a task or sub-task from its status and message.

        Where the status is absent or empty, a registration outcome in the message gives the state; a failure
        word there also overrides a status that reads as succeeded; with ``message_decides`` (registration,
        discovery and typeless tasks) a word there also wins over a status that is not terminal.
        """
        word = MESSAGE_STATES.get(_status_key(message)) if isinstance(message, str) else None
        if status is None or not str(status).strip():
            return word or UNKNOWN
        state = self.state(status)
        if word == FAILED and state == SUCCEEDED:
            return FAILED
        if word is not None and message_decides and state not in TERMINAL_STATES:
            return word
        return state


def message_decides(task_type):
    """True for the tasks whose outcome word in ``message`` wins over a status that is not terminal."""
    return not task_type or not task_type.strip() or any(word in task_type.lower() for word in _MESSAGE_DECIDES)


def _sub_task_facts(sub_task, mapper):
    target = sub_task.get('target')
    if not isinstance(target, dict):
        target = {}
    status = text_or_none(sub_task.get('status'))
    message = text_or_none(sub_task.get('message'))
    return {
        'target_id': text_or_none(target.get('id')),
        'target_name': text_or_none(target.get('name')),
        'target_type': text_or_none(target.get('type')),
        'status': status,
        'state': mapper.outcome(status, message),
        'message': message,
    }


def _failed_targets(sub_tasks):
    """The names (else ids, else positions) of the targets whose sub-task failed."""
    return [sub_task['target_name'] or sub_task['target_id'] or 'sub-task %d' % (index + 1)
            for index, sub_task in enumerate(sub_tasks) if sub_task['state'] == FAILED]


def task_facts(task_id, body, mapper, include_raw=True):
    """Turn one task status body into the task facts that SPEC describes.

    ``body`` must be the decoded JSON object; anything else raises ValueError, and
    the caller decides how that bad answer is reported.
    """
    if not isinstance(body, dict):
        raise ValueError('the task status is a JSON %s, not an object' % type(body).__name__)
    status = text_or_none(body.get('status'))
    message = text_or_none(body.get('message'))
    task_type = text_or_none(body.get('taskType'))
    state = mapper.outcome(status, message, message_decides=message_decides(task_type))

    raw_sub_tasks = body.get('subTasks') if isinstance(body.get('subTasks'), list) else []
    sub_tasks = [_sub_task_facts(sub_task, mapper) for sub_task in raw_sub_tasks if isinstance(sub_task, dict)]
    failed_targets = _failed_targets(sub_tasks)

    # A task that claims success while a device failed did not succeed.
    if state == SUCCEEDED and failed_targets:
        state = FAILED

    facts = {
        'id': task_id,
        'task_type': task_type,
        'status': status,
        'state': state,
        'terminal': state in TERMINAL_STATES,
        'message': message,
        'description': text_or_none(body.get('description')),
        'sub_tasks': sub_tasks,
        'failed_targets': failed_targets,
    }
    if include_raw:
        facts['raw'] = body
    return facts
