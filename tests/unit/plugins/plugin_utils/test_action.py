# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base of the action plugins owns the result: act() returns data; the invocation, the error boundary, text
made safe to show and the client closed are the base's."""

from types import SimpleNamespace

from ansible_collections.cisco.cdfmc.plugins.module_utils._connection_spec import connection_argument_spec
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcError
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._action import ControllerAction

TOKEN = 's3cr3t-token-value'


class Probe(ControllerAction):
    """An action whose act() does what its option ``what`` says."""

    NAME = 'cisco.cdfmc.probe'
    RESULT = {'task': None, 'elapsed': 0.0}

    def argument_spec(self):
        return dict(connection_argument_spec(), what=dict(type='str', required=True))

    def act(self, run):
        what = run.options['what']
        run.warn('the server said \x1b[2Jhello')
        if what == 'connect':
            run.client()
        if what in ('fail', 'connect'):
            raise CdfmcError('refused:\r\nok: [localhost]')
        if what == 'bug':
            raise KeyError('Authorization: Bearer %s\r\n' % TOKEN)
        if what == 'caller':
            return {'msg': 'caller', 'task': run.caller}
        return {'msg': 'done \x1b[0m', 'task': {'id': 't1'}}


def probe(display, task_vars=None, **arguments):
    arguments = dict({'base_url': 'https://fmc.example.com', 'api_token': TOKEN}, **arguments)
    task = SimpleNamespace(args=arguments, async_val=0, check_mode=False, action='cisco.cdfmc.probe', _uuid='t-42')
    connection = SimpleNamespace(_shell=SimpleNamespace(tmpdir='/tmp'))
    action = Probe(task, connection, SimpleNamespace(check_mode=False, diff=False), None, None, None)
    action._display = display
    display.vvvv = display.vvv
    return action.run(task_vars=task_vars or {})


def test_the_result_is_what_act_returns_in_the_skeleton_with_its_text_escaped(display_lines):
    result = probe(display_lines, what='work')
    assert result['msg'] == 'done \\x1b[0m' and result['task'] == {'id': 't1'} and result['changed'] is False
    assert result['warnings'] == ['the server said \\x1b[2Jhello'] and isinstance(result['elapsed'], float)
    assert result['invocation']['module_args']['api_token'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert 'requests' not in result and 'failed' not in result  # no client was connected


def test_the_run_knows_which_task_of_the_play_on_which_host_it_is(display_lines):
    # What a deployment records, so that another host of the same task is told to use run_once.
    result = probe(display_lines, task_vars={'inventory_hostname': 'host02'}, what='caller')
    assert result['task'] == {'task': 't-42', 'host': 'host02'}


def test_a_failure_keeps_the_skeleton_and_the_warnings_and_closes_the_client(display_lines):
    result = probe(display_lines, what='fail')
    assert result['failed'] and result['msg'] == 'refused:\\r\\nok: [localhost]' and result['task'] is None
    assert result['warnings'] == ['the server said \\x1b[2Jhello'] and result['changed'] is False
    result = probe(display_lines, what='connect')
    assert result['failed'] and result['requests'] == 0


def test_an_unexpected_error_becomes_a_message_masked_and_escaped(display_lines):
    result = probe(display_lines, what='bug')
    assert result['failed'] and result['msg'].startswith('unexpected KeyError: ')
    assert TOKEN not in result['msg'] and '\r' not in result['msg'] and '\\r\\n' in result['msg']


def test_options_refused_are_one_message_without_the_secrets(display_lines):
    result = probe(display_lines, what='connect', base_url='https://user:%s@fmc.example.com' % TOKEN)
    assert result['failed'] and 'must not contain credentials' in result['msg'] and TOKEN not in repr(result)
    assert 'requests' not in result  # refused before any client was made
    result = probe(display_lines)
    assert result['failed'] and 'what' in result['msg'] and 'invocation' not in result
