# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The task_facts filter: a task status from any other module turned into the collection's task facts."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.utils.display import Display

from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError
from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import StatusMapper, task_facts as facts_of
from ansible_collections.cisco.cdfmc.plugins.module_utils._query import to_plain

display = Display()


def _task_body(data):
    """The task status object inside what a module returned (a uri result, a vendor module's result)."""
    if isinstance(data, dict):
        for key in ('json', 'response', 'content'):
            inner = data.get(key)
            if isinstance(inner, dict) and ('status' in inner or 'taskType' in inner or 'subTasks' in inner):
                return inner
        return data
    raise AnsibleFilterError('cisco.cdfmc.task_facts expects a task status (a dictionary), got %s' % type(data).__name__)


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
