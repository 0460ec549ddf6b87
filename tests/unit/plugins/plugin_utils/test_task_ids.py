# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError
from ansible_collections.cisco.cdfmc.plugins.module_utils._query import compile_query
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._task_ids import extract_task_ids


class TaggedStr(str):
    pass


def deployment_result(task_id):
    """What ansible.builtin.uri registers for a deployment request."""
    return {'changed': False, 'status': 202, 'json': {'type': 'DeploymentRequest', 'metadata': {'task': {'id': task_id}}}}


@pytest.mark.parametrize('value,ids', [
    ('t1', ['t1']),
    (TaggedStr('t1'), ['t1']),
    (8589934593, ['8589934593']),
    (['a', 'b', 'a'], ['a', 'b', 'a']),
    ({'task': {'id': 'x'}, 'id': 'no'}, ['x']),
    ({'metadata': {'task': {'id': 'x'}}}, ['x']),
    (deployment_result('x'), ['x']),
    ({'response': {'metadata': {'task': {'id': 'x'}}}}, ['x']),
    ({'id': 'x'}, ['x']),
    ({'task': {'id': ''}, 'id': 'fallback'}, ['fallback']),
    ({'results': [deployment_result('a'), {'skipped': True}, deployment_result('b')]}, ['a', 'b']),
    (['z', {'results': [{'task': {'id': 'y'}}]}, deployment_result('w')], ['z', 'y', 'w']),
    ([['nested', 'list']], ['nested', 'list']),
])
def test_ids_from_anything(value, ids):
    assert extract_task_ids(value).ids == ids


def test_positions_and_unique():
    found = extract_task_ids(['a', {'results': [{'id': 'b'}, {'id': 'a'}]}])
    assert found.positions == ['task_ids[0]', 'task_ids[1].results[0]', 'task_ids[1].results[1]']
    assert found.unique() == ['a', 'b']


def test_skipped_items_are_counted_not_returned():
    found = extract_task_ids({'results': [{'skipped': True, 'changed': False}, {'skipped': True}]})
    assert found.ids == [] and found.skipped == 2
    assert extract_task_ids({'skipped': True, 'msg': 'check mode'}).skipped == 1


def test_id_query_comes_first():
    query = compile_query('custom.path', 'id_query')
    assert extract_task_ids([{'custom': {'path': 'q'}, 'id': 'no'}, {'id': 'fallback'}], query).ids == ['q', 'fallback']


@pytest.mark.parametrize('value', [None, '', []])
def test_empty_is_refused(value):
    with pytest.raises(CdfmcOptionError, match='task_ids is empty'):
        extract_task_ids(value)


def test_dict_without_id_names_its_position():
    with pytest.raises(CdfmcOptionError) as caught:
        extract_task_ids(['a', {'results': [{'id': 'b'}, {'changed': True, 'status': 500}]}])
    message = str(caught.value)
    assert 'task_ids[1].results[1]' in message and 'changed, status' in message and 'metadata.task.id' in message


@pytest.mark.parametrize('value,position', [
    (['ok', '../../x'], 'task_ids[1]'), ([''], 'task_ids[0]'), ([True], 'task_ids[0]'), ([1.5], 'task_ids[0]'),
    ([{'id': 'a b'}], 'task_ids[0]'), ([{'id': 'x' * 200}], 'task_ids[0]'),
])
def test_bad_items_name_their_position(value, position):
    with pytest.raises(CdfmcOptionError, match=r'task_ids: %s' % position.replace('[', r'\[').replace(']', r'\]')):
        extract_task_ids(value)


def test_in_check_mode_an_item_without_an_id_that_did_not_fail_is_skipped():
    # What cisco.fmcansible's fmc_configuration returns under --check: no response at all.
    found = extract_task_ids([{'changed': False}, {'json': {'metadata': {'task': {'id': '42'}}}}, {'skipped': True}],
                             check_mode=True)
    assert found.ids == ['42'] and found.positions == ['task_ids[1]']
    assert found.without_id == ['task_ids[0]'] and found.skipped == 2
    found = extract_task_ids({'results': [{'changed': False}, {'changed': False, 'failed': False}]}, check_mode=True)
    assert found.ids == [] and found.without_id == ['task_ids.results[0]', 'task_ids.results[1]']


def test_in_check_mode_a_failed_item_without_an_id_is_still_an_error():
    with pytest.raises(CdfmcOptionError, match=r'no task id in task_ids\[0\]'):
        extract_task_ids([{'changed': False, 'failed': True}], check_mode=True)


def test_outside_check_mode_an_item_without_an_id_is_an_error():
    with pytest.raises(CdfmcOptionError, match=r'no task id in task_ids\[0\]'):
        extract_task_ids([{'changed': False}])


def test_a_post_answer_echoing_status_200_gives_only_its_id():
    # A task embedded in a POST answer may carry "status": "200": the id is all that is taken from it.
    found = extract_task_ids({'json': {'type': 'DeploymentRequest', 'metadata': {'task': {
        'id': '8589934593', 'status': '200', 'taskType': 'DEVICE_DEPLOYMENT'}}}})
    assert found.ids == ['8589934593']


def test_a_deploy_result_that_deployed_nothing_is_skipped():
    nothing = {'changed': False, 'deployed': [], 'up_to_date': [{'name': 'ftd-1'}], 'task': None}
    found = extract_task_ids([nothing, {'changed': True, 'deployed': [{}], 'up_to_date': [], 'task': {'id': '77'}}])
    assert found.ids == ['77'] and found.skipped == 1
    # A failed deploy with no task is not "nothing to do" (its request may have started one): it stays an error.
    for failed in ({'changed': False, 'failed': True, 'msg': 'refused'},
                   dict(nothing, failed=True, msg='no answer within 30s; a deployment may have started')):
        with pytest.raises(CdfmcOptionError, match='no task id'):
            extract_task_ids([failed])


def test_in_check_mode_an_id_that_is_not_valid_is_still_refused():
    with pytest.raises(CdfmcOptionError, match=r'task_ids: task_ids\[1\]: task id'):
        extract_task_ids([{'changed': False}, {'task': {'id': '../x'}}], check_mode=True)
