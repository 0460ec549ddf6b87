# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError
from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import (
    STATES,
    StatusMapper,
    describe_state,
    normalize_status_map,
    task_facts,
)

SPEC_MAPPING = {
    'pending': ['PENDING', 'QUEUED', 'SCHEDULED', 'NOT_STARTED'],
    'running': ['RUNNING', 'IN_PROGRESS', 'DEPLOYING', 'EXECUTING'],
    'succeeded': ['SUCCESS', 'SUCCEEDED', 'SUCCESSFUL', 'COMPLETED', 'DEPLOYED', 'DONE'],
    'failed': ['FAILED', 'FAILURE', 'ERROR', 'ABORTED'],
    'cancelled': ['CANCELLED', 'CANCELED'],
}
CASES = [(status, state) for state, statuses in SPEC_MAPPING.items() for status in statuses]


@pytest.mark.parametrize('status,state', CASES)
def test_builtin_mapping_in_any_case(status, state):
    mapper = StatusMapper()
    assert mapper.state(status) == state
    assert mapper.state(status.lower()) == state
    assert mapper.state(status.title()) == state
    assert mapper.state('  %s ' % status) == state


def test_field_statuses_map():
    mapper = StatusMapper()
    assert [mapper.state(s) for s in ('Deploying', 'Deployed', 'Succeeded', 'Failed', 'Cancelled')] == [
        'running', 'succeeded', 'succeeded', 'failed', 'cancelled']
    assert [mapper.state(s) for s in ('Pending', 'Running', 'Success')] == ['pending', 'running', 'succeeded']


def test_unknown_status_warns_once_per_status():
    warnings = []
    mapper = StatusMapper(warn=warnings.append)
    assert mapper.state('UNKNOWN') == 'unknown'
    assert mapper.state('unknown') == 'unknown'
    assert mapper.state('Half_Done') == 'unknown'
    assert mapper.state(None) == 'unknown'
    assert len(warnings) == 2
    assert "'UNKNOWN'" in warnings[0] and 'status_map' in warnings[0]
    assert "'Half_Done'" in warnings[1]


def test_status_map_overrides_builtin_and_is_case_insensitive():
    mapper = StatusMapper({'Deployed': 'running', 'PARTIAL': 'failed'})
    assert mapper.state('DEPLOYED') == 'running'
    assert mapper.state('partial') == 'failed'
    assert mapper.state('SUCCESS') == 'succeeded'


@pytest.mark.parametrize('bad', [{'X': 'done'}, {'X': None}, {'': 'failed'}, {'X': 1}])
def test_status_map_refuses_values_that_are_not_states(bad):
    with pytest.raises(CdfmcOptionError, match='status_map has invalid entries'):
        normalize_status_map(bad)


def test_status_map_must_be_a_dict():
    with pytest.raises(CdfmcOptionError, match='dictionary'):
        normalize_status_map(['failed'])


def test_status_map_values_normalized():
    assert normalize_status_map({'A': ' Failed '}) == {'a': 'failed'}
    assert normalize_status_map(None) == {}


def _deployment(status, *subs):
    return {
        'id': 't1', 'type': 'TaskStatus', 'taskType': 'DEVICE_DEPLOYMENT', 'status': status,
        'message': 'msg', 'description': 'desc',
        'subTasks': [
            {'status': sub_status, 'message': message, 'target': target}
            for sub_status, message, target in subs
        ],
    }


def test_facts_have_every_spec_key_and_raw_untouched():
    body = _deployment('Deployed', ('SUCCESS', 'ok', {'id': 'd1', 'name': 'ftd-1', 'type': 'Device'}))
    facts = task_facts('t1', body, StatusMapper())
    assert set(facts) == {'id', 'task_type', 'status', 'state', 'terminal', 'message', 'description',
                          'sub_tasks', 'failed_targets', 'raw'}
    assert facts['raw'] is body
    assert facts['state'] == 'succeeded' and facts['terminal'] is True
    assert facts['task_type'] == 'DEVICE_DEPLOYMENT'
    assert facts['sub_tasks'] == [{'target_id': 'd1', 'target_name': 'ftd-1', 'target_type': 'Device',
                                   'status': 'SUCCESS', 'state': 'succeeded', 'message': 'ok'}]
    assert facts['failed_targets'] == []


def test_include_raw_false_omits_raw():
    assert 'raw' not in task_facts('t1', _deployment('RUNNING'), StatusMapper(), include_raw=False)


def test_succeeded_task_with_failed_sub_task_is_failed():
    body = _deployment('Deployed',
                       ('SUCCESS', None, {'id': 'd1', 'name': 'ftd-1'}),
                       ('FAILED', 'bad nameif', {'id': 'd2', 'name': 'ftd-2'}),
                       ('Failed', 'no name', {'id': 'd3'}),
                       ('FAILED', 'nothing', None))
    facts = task_facts('t1', body, StatusMapper())
    assert facts['state'] == 'failed' and facts['terminal'] is True
    assert facts['failed_targets'] == ['ftd-2', 'd3', 'sub-task 4']
    assert facts['sub_tasks'][3]['target_id'] is None


def test_running_task_with_failed_sub_task_stays_running():
    body = _deployment('Deploying', ('FAILED', 'x', {'id': 'd1', 'name': 'ftd-1'}), ('DEPLOYING', None, {'id': 'd2'}))
    facts = task_facts('t1', body, StatusMapper())
    assert facts['state'] == 'running' and facts['terminal'] is False
    assert facts['failed_targets'] == ['ftd-1']


@pytest.mark.parametrize('status,state,terminal', [
    ('PENDING', 'pending', False), ('RUNNING', 'running', False), ('COMPLETED', 'succeeded', True),
    ('FAILED', 'failed', True), ('CANCELLED', 'cancelled', True), ('MYSTERY', 'unknown', False),
])
def test_terminal_follows_state(status, state, terminal):
    facts = task_facts('x', {'status': status}, StatusMapper())
    assert (facts['state'], facts['terminal']) == (state, terminal)


def test_missing_fields_are_null_and_odd_types_kept_visible():
    facts = task_facts('x', {}, StatusMapper())
    assert facts['status'] is None and facts['state'] == 'unknown' and facts['task_type'] is None
    assert facts['message'] is None and facts['sub_tasks'] == [] and facts['failed_targets'] == []
    facts = task_facts('x', {'status': 7, 'message': ['a'], 'subTasks': 'nope'}, StatusMapper())
    assert facts['status'] == '7' and facts['message'] == "['a']" and facts['sub_tasks'] == []
    facts = task_facts('x', {'subTasks': ['junk', {'status': 'SUCCESS', 'target': 'junk'}]}, StatusMapper())
    assert len(facts['sub_tasks']) == 1 and facts['sub_tasks'][0]['target_id'] is None


@pytest.mark.parametrize('body', [None, [], 'text', 3])
def test_non_object_body_is_refused(body):
    with pytest.raises(ValueError, match='not an object'):
        task_facts('x', body, StatusMapper())


def test_every_state_reachable_with_status_map():
    mapper = StatusMapper(dict(('s_%s' % state, state) for state in STATES))
    assert [mapper.state('S_%s' % state) for state in STATES] == list(STATES)


# Status words seen in real sources (Cisco's documents, terraform-provider-fmc, fmcapi, cisco-ftdv): one test each.
@pytest.mark.parametrize('status,state', [
    ('RUNNING', 'running'), ('PENDING', 'pending'), ('IN_PROGRESS', 'running'), ('DEPLOYING', 'running'),
    ('Deploying', 'running'), ('SUCCESS', 'succeeded'), ('Success', 'succeeded'), ('COMPLETED', 'succeeded'),
    ('SUCCEEDED', 'succeeded'), ('Succeeded', 'succeeded'), ('DEPLOYED', 'succeeded'), ('Deployed', 'succeeded'),
    ('FAILED', 'failed'), ('Failed', 'failed'), ('Cancelled', 'cancelled'),
])
def test_status_words_of_real_servers(status, state):
    assert StatusMapper().state(status) == state


@pytest.mark.parametrize('family', ['SSP', 'PRIMARY_BOOTSTRAP', 'SECONDARY_BOOTSTRAP', 'SSP_PRIMARY_BOOTSTRAP',
                                    'SSP_SECONDARY_BOOTSTRAP', 'BREAK'])
@pytest.mark.parametrize('suffix,state', [('SUCCEEDED', 'succeeded'), ('FAILED', 'failed'),
                                          ('PARTIALLY_SUCCEEDED', 'failed')])
def test_device_status_families_map_by_their_ending(family, suffix, state):
    warnings = []
    mapper = StatusMapper(warn=warnings.append)
    assert mapper.state('%s_%s' % (family, suffix)) == state
    assert mapper.state(('%s_%s' % (family, suffix)).lower()) == state
    assert warnings == []


def test_partial_success_is_a_terminal_failure():
    assert StatusMapper().state('PRIMARY_BOOTSTRAP_PARTIALLY_SUCCEEDED') == 'failed'
    assert StatusMapper().state('PARTIALLY_SUCCEEDED') == 'failed'
    facts = task_facts('t', {'status': 'PARTIALLY_SUCCEEDED', 'message': 'Deployed to 1 of 2 devices'}, StatusMapper())
    assert facts['state'] == 'failed' and facts['terminal'] and facts['message'] == 'Deployed to 1 of 2 devices'
    assert describe_state('Partially_Succeeded', 'failed') == 'failed (partially succeeded)'
    assert describe_state('FAILED', 'failed') == 'failed'
    assert describe_state('PARTIALLY_SUCCEEDED', 'succeeded') == 'succeeded'


def test_status_map_comes_before_the_endings():
    mapper = StatusMapper({'BREAK_PARTIALLY_SUCCEEDED': 'succeeded', 'ODD_FAILED': 'running'})
    assert mapper.state('break_partially_succeeded') == 'succeeded'
    assert mapper.state('ODD_FAILED') == 'running'
    assert mapper.state('SSP_PARTIALLY_SUCCEEDED') == 'failed'


@pytest.mark.parametrize('status', ['UNKNOWN', 'NONE', 'SUCCEEDED_LATER', 'NOT_FAILED_YET'])
def test_other_words_stay_unknown_and_not_terminal(status):
    warnings = []
    mapper = StatusMapper(warn=warnings.append)
    assert mapper.state(status) == 'unknown' and len(warnings) == 1
    assert not task_facts('t', {'status': status}, mapper)['terminal']


@pytest.mark.parametrize('message,state', [
    ('DEVICE_SUCCESSFULLY_REGISTERED', 'succeeded'), ('DISCOVERY_SUCCESS', 'succeeded'),
    ('REGISTRATION_FAILED', 'failed'), ('DEPLOYMENT_FAILED', 'failed'), ('DISCOVERY_FAILED', 'failed'),
    ('REGISTRATION_IN_PROGRESS', 'running'), (' registration_failed ', 'failed'),
])
def test_registration_outcome_in_the_message_when_the_status_is_missing(message, state):
    for body in ({'message': message}, {'status': '', 'message': message}, {'status': None, 'message': message}):
        facts = task_facts('t', dict(body, taskType='DEVICE_REGISTRATION'), StatusMapper())
        assert facts['state'] == state and facts['status'] == body.get('status') and facts['message'] == message


def test_a_failure_word_in_the_message_overrides_a_success_status():
    mapper = StatusMapper()
    assert task_facts('t', {'status': 'Success', 'message': 'REGISTRATION_FAILED'}, mapper)['state'] == 'failed'
    # Only failure words override; and only a success status.
    assert task_facts('t', {'status': 'Failed', 'message': 'DISCOVERY_SUCCESS'}, mapper)['state'] == 'failed'
    # A deployment is decided by its sub-tasks: the word does not end it while it runs.
    assert task_facts('t', {'status': 'Running', 'message': 'DEPLOYMENT_FAILED', 'taskType': 'DEVICE_DEPLOYMENT'},
                      mapper)['state'] == 'running'
    assert task_facts('t', {'status': 'Running', 'message': 'DEVICE_SUCCESSFULLY_REGISTERED',
                            'taskType': 'DEVICE_DEPLOYMENT'}, mapper)['state'] == 'running'


@pytest.mark.parametrize('task_type', ['DEVICE_REGISTRATION', 'DeviceRegistration', 'DEVICE_DISCOVERY', None, ''])
@pytest.mark.parametrize('status,message,state', [
    ('RUNNING', 'REGISTRATION_FAILED', 'failed'), ('PENDING', 'DEPLOYMENT_FAILED', 'failed'),
    ('Running', 'DISCOVERY_FAILED', 'failed'), ('RUNNING', 'DEVICE_SUCCESSFULLY_REGISTERED', 'succeeded'),
    ('PENDING', 'REGISTRATION_IN_PROGRESS', 'running'), ('UNKNOWN', 'DISCOVERY_SUCCESS', 'succeeded'),
    ('FAILED', 'DEVICE_SUCCESSFULLY_REGISTERED', 'failed'),  # a terminal status is not overridden by a success
])
def test_outcome_words_win_over_a_status_that_is_not_terminal_for_registration_discovery_and_typeless_tasks(
        task_type, status, message, state):
    body = {'id': 't', 'status': status, 'message': message}
    if task_type is not None:
        body['taskType'] = task_type
    facts = task_facts('t', body, StatusMapper())
    assert facts['state'] == state and facts['terminal'] is (state != 'running') and facts['status'] == status


def test_a_deployment_with_sub_tasks_is_decided_by_them_not_by_its_message():
    body = {'taskType': 'DEVICE_DEPLOYMENT', 'status': 'RUNNING', 'message': 'DEPLOYMENT_FAILED',
            'subTasks': [{'status': 'DEPLOYING', 'target': {'id': 'd1'}}]}
    assert task_facts('t', body, StatusMapper())['state'] == 'running'


def test_message_words_match_exactly():
    mapper = StatusMapper()
    assert task_facts('t', {'message': 'REGISTRATION_FAILED: bad key'}, mapper)['state'] == 'unknown'
    assert task_facts('t', {'status': 'Success', 'message': 'Registration failed earlier; retried'},
                      mapper)['state'] == 'succeeded'


def test_message_words_apply_to_sub_tasks():
    body = {'status': 'Success', 'subTasks': [
        {'message': 'DEVICE_SUCCESSFULLY_REGISTERED', 'target': {'name': 'ftd-1'}},
        {'status': 'SUCCESS', 'message': 'DISCOVERY_FAILED', 'target': {'name': 'ftd-2'}}]}
    facts = task_facts('t', body, StatusMapper())
    assert [sub['state'] for sub in facts['sub_tasks']] == ['succeeded', 'failed']
    assert facts['state'] == 'failed' and facts['failed_targets'] == ['ftd-2']
