# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property tests: any JSON gives valid facts or a clear error; ids and paths cannot escape."""

import posixpath
import re

from hypothesis import given, settings, strategies as st

from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError
from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import STATES, StatusMapper, task_facts
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._task_ids import extract_task_ids
from support import connection_settings

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=30)

STATUS = st.sampled_from(['RUNNING', 'Deployed', 'failed', 'Cancelled', 'PENDING', 'weird', '']) | JSON
SUB_TASK = st.fixed_dictionaries({}, optional={
    'status': STATUS, 'message': JSON, 'target': JSON | st.fixed_dictionaries(
        {}, optional={'id': JSON, 'name': JSON, 'type': JSON})})
TASK_BODY = st.fixed_dictionaries({}, optional={
    'id': JSON, 'status': STATUS, 'taskType': JSON, 'message': JSON, 'description': JSON,
    'subTasks': st.lists(SUB_TASK | JSON, max_size=6) | JSON})

TEXT_OR_NONE = (str, type(None))


SPEC_KEYS = {'id', 'task_type', 'status', 'state', 'terminal', 'message', 'description', 'sub_tasks', 'failed_targets'}


def check_facts(facts, body, include_raw):
    assert set(facts) == SPEC_KEYS | ({'raw'} if include_raw else set())
    assert facts['id'] == 't1'
    assert facts['state'] in STATES and facts['terminal'] is (facts['state'] in ('succeeded', 'failed', 'cancelled'))
    for key in ('task_type', 'status', 'message', 'description'):
        assert isinstance(facts[key], TEXT_OR_NONE)
    assert isinstance(facts['sub_tasks'], list) and isinstance(facts['failed_targets'], list)
    for sub in facts['sub_tasks']:
        assert set(sub) == {'target_id', 'target_name', 'target_type', 'status', 'state', 'message'}
        assert sub['state'] in STATES
        assert all(isinstance(sub[key], TEXT_OR_NONE) for key in sub)
    assert all(isinstance(name, str) and name for name in facts['failed_targets'])
    assert len(facts['failed_targets']) == sum(1 for sub in facts['sub_tasks'] if sub['state'] == 'failed')
    if facts['failed_targets'] and facts['state'] != 'failed':
        assert facts['state'] != 'succeeded'
    assert ('raw' in facts) == include_raw and (not include_raw or facts['raw'] is body)


@settings(max_examples=300, deadline=None)
@given(body=TASK_BODY | JSON, include_raw=st.booleans())
def test_any_json_gives_valid_facts_or_a_clear_error(body, include_raw):
    try:
        facts = task_facts('t1', body, StatusMapper(warn=lambda message: None), include_raw=include_raw)
    except ValueError as exc:
        assert not isinstance(body, dict) and 'not an object' in str(exc)
        return
    assert isinstance(body, dict)
    check_facts(facts, body, include_raw)


ID_HOLDER = st.fixed_dictionaries({}, optional={
    'id': JSON, 'skipped': st.booleans() | JSON, 'task': JSON, 'metadata': JSON, 'json': JSON, 'results': JSON})


@settings(max_examples=300, deadline=None)
@given(value=st.lists(ID_HOLDER | JSON, max_size=5) | ID_HOLDER | JSON)
def test_any_task_ids_value_gives_valid_ids_or_a_clear_error(value):
    try:
        found = extract_task_ids(value)
    except CdfmcOptionError as exc:
        message = str(exc)
        assert len(message) < 2000
        # Either the whole option is empty, or the message names the item: task_ids[...] or task_ids itself.
        assert message.startswith('task_ids is empty') or re.match(r'task_ids: (no task id in )?task_ids', message)
        return
    assert len(found.ids) == len(found.positions)
    for task_id, position in zip(found.ids, found.positions):
        assert isinstance(task_id, str) and 1 <= len(task_id) <= 128 and position.startswith('task_ids')
        assert '/' not in task_id and task_id not in ('.', '..')


IDENTIFIER = st.text(max_size=200) | st.from_regex(r'\A[A-Za-z0-9][A-Za-z0-9._-]{0,130}\Z')


@settings(max_examples=500, deadline=None)
@given(task_id=IDENTIFIER, domain_uuid=IDENTIFIER)
def test_the_task_path_never_leaves_its_two_segments(task_id, domain_uuid):
    # The domain UUID may come from a server (a login's DOMAIN_UUID): it is checked like the task id.
    connection = connection_settings(base_url='https://fmc.example.com', api_token='t')
    try:
        path = connection.path(connection.task_status_path(task_id, domain_uuid))
    except CdfmcOptionError:
        return
    match = re.match(r'\A/api/fmc_config/v1/domain/([^/?#]+)/job/taskstatuses/([^/?#]+)\Z', path)
    # An empty domain UUID counts as unset: the settings' own (the cdFMC global domain) is used.
    assert match and match.groups() == (domain_uuid or connection.domain_uuid, task_id)
    assert not {'.', '..'} & set(match.groups()) and posixpath.normpath(path) == path
