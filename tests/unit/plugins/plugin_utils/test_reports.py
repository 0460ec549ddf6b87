# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The per-device reports: the JUnit file valid against the Jenkins/Ant JUnit schema kept in tests/junit and read
as a pipeline reads it (junitparser), one case per device with the right outcome, hostile server text, 10,000
devices, and files written atomically and privately."""

import os
import stat

import pytest
import xmlschema
from junitparser import Error, Failure, JUnitXml, Skipped

from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._reports import (
    ERROR,
    FAILURE,
    PASSED,
    SKIPPED,
    Case,
    Report,
    deploy_report,
    documents,
    junit_xml,
    markdown,
    report_target,
    rollback_report,
    wait_report,
    write_reports,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
SCHEMA = xmlschema.XMLSchema(os.path.join(ROOT, 'tests', 'junit', 'jenkins-junit.xsd'))
NOW = 1767225600.0
HOSTILE = u'bad \x00\x07\x1b[31m\r\nfatal: forged ]]> <tag attr="x"> & \ud800 lone \ufffe\uffff end'


def parsed(report, tmp_path):
    """The report's JUnit file validated against the schema, then read by junitparser: {name: (outcome, message,
    system-out)}, and the suite."""
    path = tmp_path / 'report.junit.xml'
    path.write_bytes(junit_xml(report, NOW))
    SCHEMA.validate(str(path))
    (suite,) = list(JUnitXml.fromfile(str(path)))
    cases = {}
    for case in suite:
        kinds = [type(result) for result in case.result]
        outcome = FAILURE if Failure in kinds else (ERROR if Error in kinds else (
            SKIPPED if Skipped in kinds else PASSED))
        assert case.name not in cases and case.classname == report.classname
        message = (case.result[0].message or case.result[0].text) if case.result else None  # skipped: text only
        cases[case.name] = (outcome, message, case.system_out)
    return cases, suite


DEPLOYED = {
    'changed': True, 'failed': True, 'elapsed': 12.5, 'msg': 'the deployment did not succeed',
    'task': {'id': '8589934593'},
    'deployed': [
        {'name': '10.10.6.104', 'id': 'd1', 'type': 'Device', 'version': '1', 'state': 'succeeded',
         'message': 'Deployment succeeded', 'rollback': None},
        {'name': 'fw-2', 'id': 'd2', 'type': 'Device', 'version': '1', 'state': 'failed', 'message': HOSTILE,
         'rollback': None},
        {'name': 'fw-ha', 'id': 'ha', 'type': 'DeviceHAPair', 'version': '1', 'state': 'succeeded',
         'message': 'Deployment succeeded', 'rollback': {'job': {'id': 'j1', 'name': 'Deploy_Job_1', 'note': 'C1'},
                                                         'state': 'succeeded', 'message': None}}],
    'up_to_date': [{'name': 'fw-4', 'id': 'd4', 'type': 'Device'}],
}


def test_a_deploy_report_has_one_case_per_device_with_its_outcome_and_a_valid_file(tmp_path):
    cases, suite = parsed(deploy_report(DEPLOYED, ['fw-2'], 'https://fmc.example.com', 'site-a'), tmp_path)
    assert sorted(cases) == ['10.10.6.104', 'fw-2', 'fw-4', 'fw-ha']  # an IP address as a name, never split
    assert [cases[name][0] for name in ('10.10.6.104', 'fw-2', 'fw-4', 'fw-ha')] == [PASSED, FAILURE, PASSED, PASSED]
    assert 'up to date' in cases['fw-4'][2] and 'rolled back: succeeded, to Deploy_Job_1 (j1) "C1"' in cases['fw-ha'][2]
    assert 'task: 8589934593' in cases['fw-2'][2]
    assert (suite.name, suite.tests, suite.failures, suite.errors) == ('site-a', 4, 1, 0)
    properties = dict((prop.name, prop.value) for prop in suite.properties())
    assert properties == {'server': 'https://fmc.example.com', 'task': '8589934593'}


def test_hostile_server_text_is_escaped_and_what_xml_cannot_hold_is_replaced(tmp_path):
    cases, _suite = parsed(deploy_report(DEPLOYED, ['fw-2'], 'https://fmc.example.com'), tmp_path)
    message = cases['fw-2'][1]
    assert '\\x00\\x07\\x1b[31m\\r\\nfatal: forged ]]> <tag attr="x"> &' in message
    assert '\ufffd lone \ufffd\ufffd end' in message and '\x1b' not in message and '\n' not in message
    table = markdown(deploy_report(DEPLOYED, ['fw-2'], 'https://fmc.example.com'))
    row = next(line for line in table.splitlines() if line.startswith('| fw-2 '))
    assert '\\r\\nfatal: forged' in row and '\x1b' not in table


def test_a_run_that_failed_before_any_device_names_each_device_asked_for_as_an_error(tmp_path):
    failed = {'failed': True, 'msg': 'devices: fw-9 is not a managed device', 'deployed': [], 'up_to_date': []}
    cases, suite = parsed(deploy_report(failed, ['fw-1', 'fw-9'], 'https://fmc.example.com'), tmp_path)
    expected = (ERROR, 'devices: fw-9 is not a managed device', 'no per-device result: the task failed as msg says')
    assert cases == {'fw-1': expected, 'fw-9': expected}
    assert suite.errors == 2
    cases, _suite = parsed(deploy_report(dict(failed, deployed=[]), 'all', '-'), tmp_path)
    assert list(cases) == ['all']


def test_check_mode_and_wait_false_skip_what_would_be_done_and_a_timeout_is_an_error(tmp_path):
    pending = dict(DEPLOYED['deployed'][0], state='pending')
    cases, _suite = parsed(deploy_report({'changed': True, 'deployed': [pending]}, 'all', '-'), tmp_path)
    assert cases['10.10.6.104'][:2] == (SKIPPED, 'not waited for (check mode, or wait: false)')
    cases, _suite = parsed(deploy_report({'failed': True, 'deployed': [pending]}, 'all', '-'), tmp_path)
    assert cases['10.10.6.104'][0] == ERROR


def test_a_rollback_report_names_the_job_returned_to_unchanged_and_refused_devices(tmp_path):
    result = {'changed': True, 'failed': True, 'task': {'id': '77'}, 'rolled_back': [
        {'name': 'fw-1', 'id': 'd1', 'type': 'Device', 'state': 'succeeded', 'message': None,
         'job': {'id': 'j1', 'name': 'Deploy_Job_1', 'note': 'C1', 'start_time': 't'}},
        {'name': 'fw-2', 'id': 'd2', 'type': 'Device', 'job': {'id': 'j1', 'name': 'Deploy_Job_1', 'note': 'C1'},
         'state': 'failed', 'message': 'Rollback failed'}],
        'unchanged': [{'name': 'fw-3', 'id': 'd3', 'type': 'Device', 'job': {'id': 'j9', 'name': 'Deploy_Job_9'},
                       'message': 'its newest configuration is a rollback'}],
        'refused': [{'name': 'fw-4', 'id': 'd4', 'type': 'Device', 'reason': 'it is deploying'}]}
    cases, suite = parsed(rollback_report(result, ['fw-1'], 'https://fmc.example.com'), tmp_path)
    assert dict((name, case[0]) for name, case in cases.items()) == {
        'fw-1': PASSED, 'fw-2': FAILURE, 'fw-3': PASSED, 'fw-4': ERROR}
    assert 'returned to job Deploy_Job_1 (j1) "C1"' in cases['fw-1'][2] and cases['fw-4'][1] == 'it is deploying'
    assert dict((prop.name, prop.value) for prop in suite.properties())['jobs'] == 'j1'


def test_a_wait_report_makes_a_device_of_two_tasks_one_case_and_an_unfinished_device_an_error(tmp_path):
    def task(task_id, *subs, **extra):
        return dict({'id': task_id, 'state': 'running', 'sub_tasks': [
            {'target_name': name, 'target_id': 'id-' + name, 'state': state, 'message': state} for name, state in subs]},
            **extra)
    result = {'failed': True, 'timed_out': True, 'tasks': [
        task('t1', ('fw-1', 'succeeded'), ('fw-2', 'running')), task('t2', ('fw-1', 'failed')),
        task('t3', error='GET x: HTTP 404', state='unknown')]}
    cases, suite = parsed(wait_report(result, '-', 'cdfmc_task_report'), tmp_path)
    assert dict((name, case[0]) for name, case in cases.items()) == {'fw-1': FAILURE, 'fw-2': ERROR, 'task t3': ERROR}
    assert 'task t1: succeeded' in cases['fw-1'][2] and 'task t2: failed' in cases['fw-1'][2]
    assert suite.name == 'cdfmc_task_report'
    table = markdown(wait_report(result, '-'))
    assert '| t1 | fw-2 | running | running |' in table and '| t3 | - | unknown | GET x: HTTP 404 |' in table


def test_ten_thousand_devices_with_long_messages_stay_well_under_gitlab_s_30_mb(tmp_path):
    worst = '&"<' * 100000  # what XML's escapes make longest
    cases = [Case(worst[:250] + '%05d' % number, FAILURE, worst, [worst] * 50) for number in range(10000)]
    data = junit_xml(Report('big', 'cisco.cdfmc.cdfmc_deploy', [('server', '-')], cases, [], [], '', 1), NOW)
    assert len(data) < 30 * 1024 * 1024
    (tmp_path / 'big.junit.xml').write_bytes(data)
    (suite,) = list(JUnitXml.fromfile(str(tmp_path / 'big.junit.xml')))
    assert len(set(case.name for case in suite)) == 10000


def test_files_are_written_atomically_readable_by_their_owner_only_in_a_private_directory(tmp_path):
    directory = tmp_path / 'reports' / 'run'
    report = deploy_report(DEPLOYED, ['fw-2'], '-', 'nightly')
    assert report_target({'report_dir': str(directory), 'report_name': 'nightly'}, 'x') == (str(directory), 'nightly')
    paths = write_reports(str(directory), 'nightly', documents(DEPLOYED, report, NOW, str))
    assert sorted(os.path.basename(path) for path in paths.values()) == [
        'nightly.json', 'nightly.junit.xml', 'nightly.md']
    assert stat.S_IMODE(os.stat(str(directory)).st_mode) == 0o700
    for path in paths.values():
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert 'bad \\u0000\\u0007\\u001b' in open(paths['json']).read()  # JSON escapes what it cannot hold
    assert '\\ud800 lone' in open(paths['json']).read()
    (directory / 'nightly.md').chmod(0o644)
    write_reports(str(directory), 'nightly', documents(DEPLOYED, report, NOW, str))  # replaced, not rewritten in place
    assert stat.S_IMODE(os.stat(paths['markdown']).st_mode) == 0o600
    assert sorted(os.listdir(str(directory))) == ['nightly.json', 'nightly.junit.xml', 'nightly.md']  # no temp left


def test_a_directory_that_cannot_be_written_raises_and_leaves_nothing(tmp_path):
    (tmp_path / 'a-file').write_text('')
    with pytest.raises(OSError):
        write_reports(str(tmp_path / 'a-file'), 'r', documents({}, deploy_report({}, 'all', '-'), NOW, str))
    with pytest.raises(OSError):
        write_reports(str(tmp_path / 'a-file' / 'below'), 'r', documents({}, deploy_report({}, 'all', '-'), NOW, str))
    assert os.listdir(str(tmp_path)) == ['a-file']
    # Checked before anything is sent: a report_dir that cannot be a directory refuses the task.
    for directory in (tmp_path / 'a-file', tmp_path / 'a-file' / 'below'):
        with pytest.raises(CdfmcOptionError, match='report_dir .* (is not a directory|cannot be made)'):
            report_target({'report_dir': str(directory)}, 'cdfmc_deploy')


@pytest.mark.parametrize('name', ['../escape', '.hidden', 'a/b', 'x' * 101, 'space name', ''])
def test_a_report_name_that_cannot_be_a_file_name_is_refused(name):
    class Options(dict):
        pass
    options = Options(report_dir='/tmp/x', report_name=name)
    if not name:
        assert report_target(options, 'cdfmc_deploy') == ('/tmp/x', 'cdfmc_deploy')
        return
    with pytest.raises(CdfmcOptionError, match='report_name must be 1 to 100 letters'):
        report_target(options, 'cdfmc_deploy')


def test_check_mode_is_skipped_and_a_device_whose_rollback_failed_is_an_error(tmp_path):
    pending = dict(DEPLOYED['deployed'][0], state='pending')
    cases, suite = parsed(deploy_report({'changed': True, 'deployed': [pending]}, 'all', '-'), tmp_path)
    assert cases['10.10.6.104'][0] == SKIPPED and suite.skipped == 1
    half = dict(DEPLOYED['deployed'][2], rollback={'job': None, 'state': 'failed', 'message': 'not rolled back: x'})
    cases, _suite = parsed(deploy_report({'failed': True, 'deployed': [half]}, 'all', '-'), tmp_path)
    assert cases['fw-ha'][:2] == (ERROR, 'its rollback did not succeed: not rolled back: x')


def test_a_refused_rollback_names_the_devices_not_sent_and_an_empty_failed_wait_is_one_error(tmp_path):
    result = {'failed': True, 'refused': [{'name': 'fw-2', 'id': 'd2', 'type': 'Device', 'reason': 'deploying'}],
              'not_sent': [{'name': 'fw-1', 'id': 'd1', 'type': 'Device'}], 'unchanged': [], 'rolled_back': []}
    cases, _suite = parsed(rollback_report(result, ['fw-1', 'fw-2'], '-'), tmp_path)
    assert cases == {'fw-2': (ERROR, 'deploying', 'refused before the request'),
                     'fw-1': (ERROR, 'not sent: another device was refused', 'not sent: another device was refused')}
    cases, suite = parsed(wait_report({'failed': True, 'msg': 'login refused'}, '-', 'nightly'), tmp_path)
    assert cases == {'nightly': (ERROR, 'login refused', 'no per-device result: the task failed as msg says')}


def test_a_name_stays_the_same_however_long_the_message_is(tmp_path):
    name = 'fw-' + 'n' * 150
    short = parsed(deploy_report({'deployed': [dict(DEPLOYED['deployed'][1], name=name, message='x')]}, 'all', '-'),
                   tmp_path)[0]
    long = parsed(deploy_report({'deployed': [dict(DEPLOYED['deployed'][1], name=name, message='&' * 5000)]}, 'all',
                                '-'), tmp_path)[0]
    assert list(short) == list(long) == [name]
