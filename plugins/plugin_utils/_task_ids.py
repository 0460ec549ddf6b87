# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Task ids out of whatever a playbook has: ids, registered results, looped results, a mix.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It does no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cisco.cdfmc.plugins.module_utils._urls import validate_task_id
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError
from ansible_collections.cisco.cdfmc.plugins.module_utils._query import run_query, to_plain

# Where a registered result keeps its task id, first match wins (after id_query).
ID_PATHS = (
    ('task', 'id'),
    ('metadata', 'task', 'id'),
    ('json', 'metadata', 'task', 'id'),
    ('response', 'metadata', 'task', 'id'),
    ('id',),
)


class TaskIds:
    """The outcome of extraction: ``ids`` in input order (duplicates kept), ``positions``
    naming where each came from, ``skipped`` counting items ignored as skipped, and
    ``without_id`` the positions of items skipped in check mode for holding no id."""

    def __init__(self):
        self.ids = []
        self.positions = []
        self.skipped = 0
        self.without_id = []

    def unique(self):
        """The ids without duplicates, in first-seen order: what is actually polled."""
        seen = set()
        return [task_id for task_id in self.ids if not (task_id in seen or seen.add(task_id))]


def _value_at(value, path):
    """The value at a path of keys in nested dictionaries, or None."""
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _as_task_id(value):
    """A value that can be a task id (text or a whole number) as text, or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _deployed_nothing(item):
    """True for a cdfmc_deploy result that sent no deployment request because nothing was pending (it did not
    fail): no task to wait on."""
    nothing_sent = item.get('changed') is False and item.get('failed') is not True and not item.get('task')
    return nothing_sent and 'up_to_date' in item and 'deployed' in item


def _describe(item):
    if isinstance(item, dict):
        keys = sorted(str(key) for key in item)
        shown = ', '.join(keys[:8]) + (', ...' if len(keys) > 8 else '')
        return 'a dictionary with keys [%s]' % shown
    return 'a %s' % type(item).__name__


def _id_from_dict(item, id_query, position):
    candidates = []
    if id_query is not None:
        candidates.append(run_query(id_query, item))
    candidates.extend(_value_at(item, path) for path in ID_PATHS)
    for candidate in candidates:
        task_id = _as_task_id(candidate)
        if task_id is not None:
            return task_id
    raise CdfmcOptionError(
        'task_ids: no task id in %s (%s); looked at %s%s' % (
            position, _describe(item),
            'id_query, ' if id_query is not None else '',
            ', '.join('.'.join(path) for path in ID_PATHS)))


# What stands for an item that gives no id: skipped, or (check mode) skipped for holding none.
_SKIPPED, _WITHOUT_ID = object(), object()


def extract_task_ids(task_ids, id_query=None, check_mode=False):
    """Turn the task_ids option into a TaskIds, or raise CdfmcOptionError naming the position.

    ``id_query`` is a compiled JMESPath expression (or None). Items with
    ``skipped: true``, and cdfmc_deploy results that deployed nothing, are
    ignored; a registered looped result (``results``) is
    flattened; ids are checked against the task id rule. In ``check_mode``, a
    dictionary with no id that did not fail is skipped too: a deployment module that
    sent nothing in check mode returns no task (cisco.fmcansible returns ``changed: false``).
    """
    value = to_plain(task_ids)
    if value is None or value == '' or value == []:
        raise CdfmcOptionError('task_ids is empty: give a task id, a registered result, or a list of them')
    found = TaskIds()
    for position, task_id in _ids_in(value, 'task_ids', id_query, check_mode):
        if task_id is _SKIPPED or task_id is _WITHOUT_ID:
            found.skipped += 1
            if task_id is _WITHOUT_ID:
                found.without_id.append(position)
        else:
            found.ids.append(task_id)
            found.positions.append(position)
    return found


def _ids_in(item, position, id_query, check_mode):
    """(position, checked task id, or _SKIPPED or _WITHOUT_ID) for each id in ``item``, in order."""
    if isinstance(item, list):
        for index, member in enumerate(item):
            yield from _ids_in(member, '%s[%d]' % (position, index), id_query, check_mode)
    elif not isinstance(item, dict):
        task_id = _as_task_id(item)
        if task_id is None:
            raise CdfmcOptionError('task_ids: %s is %s, not a task id' % (position, _describe(item)
                                   if not isinstance(item, str) else 'an empty string'))
        yield position, _checked(task_id, position)
    elif item.get('skipped') is True or _deployed_nothing(item):
        yield position, _SKIPPED
    elif isinstance(item.get('results'), list) and 'task' not in item and 'json' not in item:
        yield from _ids_in(item['results'], position + '.results', id_query, check_mode)
    else:
        try:
            task_id = _id_from_dict(item, id_query, position)
        except CdfmcOptionError:
            if not check_mode or item.get('failed') is True:
                raise
            task_id = None
        yield position, _WITHOUT_ID if task_id is None else _checked(task_id, position)


def _checked(task_id, position):
    """A task id that the task id rule allows, or CdfmcOptionError naming its position."""
    try:
        return validate_task_id(task_id)
    except CdfmcOptionError as exc:
        raise CdfmcOptionError('task_ids: %s: %s' % (position, exc))
