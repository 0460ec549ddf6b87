# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The per-device reports written by real runs: cdfmc_deploy, cdfmc_rollback and the wait_for_tasks role write
JSON, Markdown and JUnit files, private to their owner; the JUnit file is valid against the Jenkins/Ant JUnit
schema kept in tests/junit and names every device once, with its outcome, as a CI pipeline reads it (junitparser),
hostile server text included.

The newest ansible-core only, to keep the suite short (the unit tests check the writer on both)."""

import json
import os
import re
import stat

import pytest
import xmlschema
from junitparser import Error, Failure, JUnitXml

from ansible.release import __version__ as ANSIBLE_CORE

from conftest import ROOT
from test_cdfmc_deploy import deploy, fleet
from test_cdfmc_rollback import rollback, rollback_fleet
from test_role import deployment

CORE = tuple(int(part) for part in re.findall(r'\d+', ANSIBLE_CORE)[:2])
pytestmark = pytest.mark.skipif(CORE < (2, 19), reason='the reports run on the newest ansible-core leg only (2.19 '
                                                       'or later), not on %s' % ANSIBLE_CORE)
SCHEMA = xmlschema.XMLSchema(os.path.join(ROOT, 'tests', 'junit', 'jenkins-junit.xsd'))


def junit(path, classname):
    """The JUnit file at ``path``, validated, read as a pipeline reads it: ({device: (outcome, message)}, suite)."""
    SCHEMA.validate(str(path))
    (suite,) = list(JUnitXml.fromfile(str(path)))
    cases = {}
    for case in suite:
        assert case.classname == classname and case.name not in cases
        kinds = [type(result) for result in case.result]
        outcome = 'failure' if Failure in kinds else ('error' if Error in kinds else 'passed')
        cases[case.name] = (outcome, case.result[0].message if case.result else case.system_out)
    return cases, suite


def private_files(paths, directory):
    assert sorted(paths) == ['json', 'junit', 'markdown']
    for path in paths.values():
        assert os.path.dirname(path) == str(directory) and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(str(directory)).st_mode) == 0o700


def test_a_deploy_with_one_failed_one_up_to_date_and_two_succeeded_devices_reports_each_once(
        simulator, run_playbook, tmp_path):
    scenario = fleet()
    scenario['devices'][1].update(outcome='failed', message='Interface outside2 is missing')
    simulator.load(scenario)
    reports = tmp_path / 'reports'
    _played, results = deploy(run_playbook, tmp_path, ['ftd-1', 'ftd-2', 'ftd-3', 'ftd-ha-a'], report_dir=str(reports),
                              report_name='site-a')
    result = results['localhost']['deployed']
    assert result['failed'] and result['changed']
    private_files(result['reports'], reports)
    cases, suite = junit(result['reports']['junit'], 'cisco.cdfmc.cdfmc_deploy')
    assert dict((name, case[0]) for name, case in cases.items()) == {
        'ftd-1': 'passed', 'ftd-2': 'failure', 'ftd-3': 'passed', 'ftd-ha': 'passed'}
    assert cases['ftd-2'][1] == 'Interface outside2 is missing' and 'up to date' in cases['ftd-3'][1]
    assert (suite.name, suite.tests, suite.failures, suite.errors) == ('site-a', 4, 1, 0)
    properties = dict((prop.name, prop.value) for prop in suite.properties())
    assert properties['task'] == result['task']['id'] and properties['server'].startswith('https://127.0.0.1:')
    saved = json.loads(open(result['reports']['json']).read())
    assert saved['deployed'] == result['deployed'] and saved['msg'] == result['msg']
    table = open(result['reports']['markdown']).read()
    assert '| ftd-2 | Device | failed | Interface outside2 is missing |  |' in table


def test_a_rollback_reports_the_job_each_device_returned_to(simulator, run_playbook, tmp_path):
    simulator.load(rollback_fleet())
    reports = tmp_path / 'rollback-reports'
    _played, result = rollback(run_playbook, tmp_path, devices=['fw-1', 'fw-ha'], before_note='Change 2',
                               report_dir=str(reports))
    assert result['changed'] and not result.get('failed'), result
    private_files(result['reports'], reports)
    cases, suite = junit(result['reports']['junit'], 'cisco.cdfmc.cdfmc_rollback')
    assert dict((name, case[0]) for name, case in cases.items()) == {'fw-1': 'passed', 'fw-ha': 'passed'}
    assert 'returned to job Deploy_Job_1' in cases['fw-1'][1] and suite.name == 'cdfmc_rollback'
    # Refused: every device named is an error, with the reason or as not sent, and nothing was sent.
    _played, result = rollback(run_playbook, tmp_path, devices=['fw-x', 'fw-2'], report_dir=str(reports))
    cases, _suite = junit(result['reports']['junit'], 'cisco.cdfmc.cdfmc_rollback')
    assert cases['fw-x'][0] == 'error' and 'canRollback: false' in cases['fw-x'][1]
    assert cases['fw-2'] == ('error', 'not sent: another device was refused')


def test_the_role_s_report_after_a_timeout_marks_the_unfinished_devices_as_errors(simulator, run_playbook, tmp_path):
    task = deployment('t1', [('ftd-1', 'SUCCESS', 'ok'), ('ftd-2', 'SUCCESS', 'ok')])
    task['sub_tasks'][0]['timeline'] = [{'at': 0, 'status': 'SUCCESS', 'message': 'ok'}]
    task['sub_tasks'][1]['timeline'] = [{'at': 0, 'status': 'RUNNING'}, {'at': 600, 'status': 'SUCCESS'}]
    task['timeline'] = [{'at': 0, 'status': 'Deploying'}, {'at': 600, 'status': 'Deployed'}]
    simulator.load({'tasks': [task]})
    run_playbook('role.yml', {'ids': ['t1'], 'report_dir': str(tmp_path / 'r'), 'timeout': 3}, expect_rc=2)
    cases, suite = junit(tmp_path / 'r' / 'cdfmc_task_report.junit.xml', 'cisco.cdfmc.cdfmc_task_wait')
    assert dict((name, case[0]) for name, case in cases.items()) == {'ftd-1': 'passed', 'ftd-2': 'error'}
    assert suite.name == 'cdfmc_task_report' and suite.errors == 1
    for name in ('cdfmc_task_report.json', 'cdfmc_task_report.md', 'cdfmc_task_report.junit.xml'):
        assert stat.S_IMODE(os.stat(str(tmp_path / 'r' / name)).st_mode) == 0o600


def test_hostile_server_text_yields_a_valid_file(simulator, run_playbook, tmp_path):
    hostile = u'nameif \x00\x07\x1b[31m\r\n]]><x a="b"> & \ud800 lone \ufffe\uffff end'
    simulator.load({'tasks': [deployment('t1', [('ftd-1', 'FAILED', hostile), (u'ftd-\x1b]0;x\x07', 'SUCCESS', 'ok')])]})
    played = run_playbook('role.yml', {'ids': ['t1'], 'report_dir': str(tmp_path / 'r')}, expect_rc=2)
    cases, _suite = junit(tmp_path / 'r' / 'cdfmc_task_report.junit.xml', 'cisco.cdfmc.cdfmc_task_wait')
    assert cases['ftd-1'][0] == 'failure'
    assert cases['ftd-1'][1].startswith('nameif \\x00\\x07\\x1b[31m\\r\\n]]><x a="b"> & \ufffd lone \ufffd\ufffd end')
    assert 'ftd-\\x1b]0;x\\x07' in cases and '\x1b' not in played.output
