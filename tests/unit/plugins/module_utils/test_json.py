# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""JSON from outside, decoded with a nesting limit."""

import json

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils._json import MAX_DEPTH, loads, nested_deeper_than


def nested(depth, kind='list'):
    return ('[' * depth + ']' * depth) if kind == 'list' else ('{"a":' * (depth - 1) + '{}' + '}' * (depth - 1))


@pytest.mark.parametrize('kind', ['list', 'dict'])
def test_up_to_the_limit_is_decoded(kind):
    assert loads(nested(MAX_DEPTH, kind)) is not None
    assert loads(nested(MAX_DEPTH, kind).encode('utf-8')) is not None


@pytest.mark.parametrize('depth', [MAX_DEPTH + 1, 900, 100000])
@pytest.mark.parametrize('kind', ['list', 'dict'])
def test_deeper_is_refused_with_a_clear_error(depth, kind):
    with pytest.raises(ValueError, match='nested deeper than 64 levels'):
        loads(nested(depth, kind))


def test_a_task_status_is_far_from_the_limit():
    body = {'id': '1', 'status': 'Deployed', 'subTasks': [{'target': {'id': 'd', 'name': 'ftd'}, 'status': 'SUCCESS'}]}
    assert loads(json.dumps(body)) == body
    assert not nested_deeper_than(body, 4) and nested_deeper_than(body, 3)  # body, subTasks, a sub-task, target


def test_what_is_not_json_is_a_value_error():
    for text in ('{not json', b'\xff\xfe', ''):
        with pytest.raises(ValueError):
            loads(text)
