# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The task_facts filter: a task status from any other module turned into the collection's task facts."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible.errors import AnsibleFilterError
from ansible.utils.display import Display

from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError
from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import StatusMapper, task_facts as facts_of
from ansible_collections.cisco.cdfmc.plugins.module_utils._query import to_plain

display = Display()


def _looks_like_a_task(value):
    """A task status: it has a status, a task type or sub-tasks, or (as a registration task may) only an id and a
    message."""
    if not isinstance(value, dict):
        return False
    return any(key in value for key in ('status', 'taskType', 'subTasks')) or 'id' in value and 'message' in value


def _embedded_task(value):
    """The task a POST answer embeds under ``metadata.task``, or None. Its ``status`` may be an HTTP code ("200"),
    which is no state: then it is left out and the task's message, if any, decides."""
    metadata = value.get('metadata') if isinstance(value, dict) else None
    task = metadata.get('task') if isinstance(metadata, dict) else None
    if not isinstance(task, dict) or not task.get('id'):
        return None
    if str(task.get('status', '')).strip().isdigit():
        task = dict((key, item) for key, item in task.items() if key != 'status')
    return task


def _task_body(data):
    """The task status object in what a module returned: the object itself, a uri result (json or a
    JSON string in content), a vendor module's response, or a cdfmc_task_status result (task.raw)."""
    if not isinstance(data, dict):
        raise AnsibleFilterError('cisco.cdfmc.task_facts expects a task status (a dictionary), got %s'
                                 % type(data).__name__)
    if data.get('failed') is True or (isinstance(data.get('status'), int) and not 200 <= data['status'] < 300):
        raise AnsibleFilterError('cisco.cdfmc.task_facts: the result holds no task status (the request failed%s)'
                                 % (', HTTP %d' % data['status'] if isinstance(data.get('status'), int) else ''))
    candidates = [data.get('json'), data.get('response'), data.get('content')]
    task = data.get('task')
    if isinstance(task, dict):
        candidates.append(task.get('raw'))
    if not any(key in data for key in ('json', 'response', 'content', 'task')):
        candidates.append(data)
    for candidate in candidates:
        if isinstance(candidate, str):
            try:
                candidate = json.loads(candidate)
            except ValueError:
                continue
        found = _embedded_task(candidate) or (candidate if _looks_like_a_task(candidate) else None)
        if found:
            return found
    raise AnsibleFilterError('cisco.cdfmc.task_facts: no task status found (no status, taskType or subTasks in the '
                             'input, nor in its json, response, content, task.raw or metadata.task)')


def task_facts(data, status_map=None, include_raw=True, task_id=None):
    """Map a task status JSON (or a registered result holding one) to task facts."""
    body = _task_body(to_plain(data))
    if task_id is None:
        task_id = body.get('id')
    try:
        mapper = StatusMapper(to_plain(status_map), warn=display.warning)
        return facts_of(None if task_id is None else str(task_id), body, mapper, include_raw=bool(include_raw))
    except (CdfmcOptionError, ValueError) as exc:
        raise AnsibleFilterError('cisco.cdfmc.task_facts: %s' % exc)


class FilterModule(object):

    def filters(self):
        return {'task_facts': task_facts}
