# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wait_for_tasks role: set_stats even on failure, JSON, Markdown and JUnit reports, the per-device failure."""

import json

from conftest import TOKEN


def deployment(task_id, devices):
    return {'id': task_id, 'task_type': 'DEVICE_DEPLOYMENT', 'starts': 'first_request',
            'timeline': [{'at': 0, 'status': 'Deploying'}, {'at': 1, 'status': 'Deployed', 'message': 'done'}],
            'sub_tasks': [{'target': {'id': 'id-' + name, 'name': name},
                           'timeline': [{'at': 0, 'status': 'PENDING'}, {'at': 1, 'status': status, 'message': why}]}
                          for name, status, why in devices]}


def test_success_publishes_stats_and_reports(simulator, run_playbook, tmp_path):
    simulator.load({'tasks': [deployment('t1', [('ftd-1', 'SUCCESS', 'ok'), ('ftd-2', 'SUCCESS', 'ok')])]})
    played = run_playbook('role.yml', {'ids': ['t1'], 'report_dir': str(tmp_path)},
                          env={'ANSIBLE_SHOW_CUSTOM_STATS': 'true'})
    assert 'CUSTOM STATS' in played.stdout and '"cdfmc_wait": {  "all_succeeded": true' in played.stdout
    report = json.loads((tmp_path / 'cdfmc_task_report.json').read_text())
    assert report['all_succeeded'] and report['tasks'][0]['sub_tasks'][1]['target_name'] == 'ftd-2'
    table = (tmp_path / 'cdfmc_task_report.md').read_text()
    assert '| t1 | ftd-1 | succeeded | ok |' in table and '| t1 | ftd-2 | succeeded | ok |' in table
    assert TOKEN not in played.output and TOKEN not in json.dumps(report)


def test_failure_still_publishes_and_names_the_device(simulator, run_playbook, tmp_path):
    simulator.load({'tasks': [deployment('t1', [('ftd-1', 'SUCCESS', 'ok'),
                                                ('ftd|2', 'FAILED', 'Interface outside2 | is\r\nmissing')])]})
    played = run_playbook('role.yml', {'ids': 't1', 'report_dir': str(tmp_path)}, expect_rc=2,
                          env={'ANSIBLE_SHOW_CUSTOM_STATS': 'true'})
    assert 'device ftd|2 failed: Interface outside2 | is' in played.stdout
    assert 'CUSTOM STATS' in played.stdout and '"cdfmc_wait": {  "all_succeeded": false' in played.stdout
    table = (tmp_path / 'cdfmc_task_report.md').read_text()
    assert '| t1 | ftd\\|2 | failed | Interface outside2 \\| is\\r\\nmissing |' in table  # escaped as everywhere
    assert len([line for line in table.splitlines() if line.startswith('| t1 ')]) == 2
    assert json.loads((tmp_path / 'cdfmc_task_report.json').read_text())['summary']['failed'] == 1


def test_errors_are_in_the_report_and_a_long_poll_interval_is_accepted(simulator, run_playbook, tmp_path):
    simulator.load({'tasks': [deployment('t1', [('ftd-1', 'SUCCESS', 'ok')])]})
    played = run_playbook('role.yml', {'ids': ['t1', 'missing'], 'report_dir': str(tmp_path),
                                       'poll_interval': 60, 'timeout': 3, 'not_found_grace': 0}, expect_rc=2)
    assert 'max_poll_interval' not in played.stdout
    table = (tmp_path / 'cdfmc_task_report.md').read_text()
    assert '| missing | - | unknown | GET ' in table and 'HTTP 404' in table


def test_a_deploy_that_deployed_nothing_is_published_as_skipped(simulator, run_playbook, tmp_path):
    # What cdfmc_deploy returns when nothing named was pending: the role's wait is skipped, not failed.
    nothing = {'changed': False, 'deployed': [], 'up_to_date': [{'name': 'ftd-1', 'id': 'd1', 'type': 'Device'}],
               'task': None, 'msg': 'nothing to deploy: ftd-1 up to date'}
    simulator.load({'tasks': []})
    played = run_playbook('role.yml', {'ids': nothing, 'report_dir': str(tmp_path)},
                          env={'ANSIBLE_SHOW_CUSTOM_STATS': 'true'})
    assert '"skipped": true' in ' '.join(played.stdout.split()) and 'failed=0' in played.stdout
    assert simulator.requests() == []
