# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whatever a server or proxy sends back, each task ends in a clear error or an unknown state, and the
others are unharmed. One wait over every bad answer at once, through ansible-playbook."""

import json

# task id -> (fault always applied to it, what the wait must report for it)
CASES = {
    'invalid-json': ({'action': 'invalid_json'}, 'error', 'not JSON'),
    'html-page': ({'action': 'raw', 'status': 200, 'content_type': 'text/html',
                   'body': '<html><body><h1>Sign in</h1><p>Your session has expired.</p></body></html>'},
                  'error', 'Sign in Your session has expired.'),
    'empty-body': ({'action': 'empty'}, 'error', 'an empty body'),
    'not-an-object': ({'action': 'raw', 'body': '[1, 2, 3]'}, 'error', 'a JSON list'),
    'no-status': ({'action': 'raw', 'body': '{"id": "no-status", "type": "TaskStatus"}'}, 'unknown', None),
    'odd-sub-tasks': ({'action': 'raw', 'body': json.dumps({
        'id': 'odd-sub-tasks', 'type': 'TaskStatus', 'status': 'RUNNING',
        'subTasks': ['text', 7, {'status': ['list'], 'target': 'nope'}, {'status': 'FAILED'}]})}, 'running', None),
    'huge-body': ({'action': 'huge'}, 'error', 'larger than'),
    'trickle': ({'action': 'trickle', 'delay': 0.3}, 'error', 'did not complete within'),
    'headers-trickle': ({'action': 'trickle_head', 'delay': 0.05}, 'error', 'no answer within'),
    'cut-mid-body': ({'action': 'cut'}, 'error', 'closed the connection'),
}


def test_every_bad_answer_is_reported_and_the_good_task_is_unharmed(simulator, wait_on):
    tasks = [{'id': task_id, 'timeline': [{'at': 0, 'status': 'Running'}]} for task_id in CASES]
    tasks.append({'id': 'good', 'starts': 'first_request',
                  'timeline': [{'at': 0, 'status': 'Running'}, {'at': 2, 'status': 'Success'}]})
    faults = [dict(fault, match={'path': '/taskstatuses/%s' % task_id}, times=None)
              for task_id, (fault, _expected, _text) in CASES.items()]
    simulator.load({'tasks': tasks, 'faults': faults})
    ids = list(CASES) + ['good']
    waited = wait_on(ids, timeout=8, request_timeout=2, max_retries=0, poll_interval=0.5, max_poll_interval=1,
                     max_requests_per_minute=1000)
    result = waited.result
    by_id = dict((task['id'], task) for task in result['tasks'])
    assert by_id['good']['state'] == 'succeeded' and by_id['good']['error'] is None
    for task_id, (_fault, expected, text) in CASES.items():
        facts = by_id[task_id]
        if expected == 'error':
            assert facts['error'] and text in facts['error'], (task_id, facts['error'])
            assert facts['state'] == 'unknown'
        else:
            assert facts['error'] is None and facts['state'] == expected, (task_id, facts)
    assert by_id['no-status']['status'] is None
    assert by_id['odd-sub-tasks']['failed_targets'] == ['sub-task 2'] and len(by_id['odd-sub-tasks']['sub_tasks']) == 2
    assert result['failed'] and result['timed_out']
    assert 'Traceback' not in waited.played.output and '<html>' not in json.dumps(result)
