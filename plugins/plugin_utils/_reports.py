# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The per-device reports of a run, for people and for CI pipelines: ``<report_name>.json`` (the task's result),
``<report_name>.md`` (a table) and ``<report_name>.junit.xml`` (one ``testsuite`` per run, one ``testcase`` per
device).

A JUnit test case is named by the device's name, under a fixed ``classname`` (``cisco.cdfmc.<module>``): CI keeps
the history of a case by those two, so no id or time goes into them. A device that failed is a ``failure`` with
FMC's words; one that was not reached (refused before the request, or not finished when the time ran out) an
``error``; one that succeeded, or had nothing to do, passes with a ``system-out`` that says so. Server text is
escaped and cut as everywhere, and what XML cannot hold (controls, lone surrogates, U+FFFE, U+FFFF) is replaced.

The files are replaced atomically, readable by their owner only.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It is controller-only; ``write_reports`` writes files, the rest does no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import json
import os
import re
import tempfile
import time
from xml.etree import ElementTree

from ansible_collections.cisco.cdfmc.plugins.module_utils._display import shown
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError
from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import CANCELLED, FAILED, SUCCEEDED

PASSED, SKIPPED, FAILURE, ERROR = 'passed', 'skipped', 'failure', 'error'
_RANK = {PASSED: 0, SKIPPED: 1, FAILURE: 2, ERROR: 3}
# How much text a test case keeps, as (FMC's message as a failure's attribute, its text, each line of output),
# tried in turn until the case fits in CASE_BYTES once written (XML's escapes make text up to six times longer):
# 10,000 devices stay under GitLab's 30 MB a file, whatever the server says. A name is always cut at NAME_CUT, so
# that it stays the same from run to run.
CUTS = ((200, 500, 200), (80, 160, 80), (40, 0, 0))
NAME_CUT = 200
CASE_BYTES = 2500
OUT_LINES = 6
MESSAGE_CUT = CUTS[0][0]
_NAME = re.compile(r'\A[A-Za-z0-9][A-Za-z0-9._-]{0,99}\Z')
# What XML 1.0 cannot hold, once controls are escaped: lone surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile(u'[\ud800-\udfff\ufffe\uffff]')

# One device of a run: its name, what became of it (PASSED, FAILURE, ERROR), FMC's message, and what else is known
# of it (``out``: lines of text).
Case = collections.namedtuple('Case', 'name outcome message out')
# A run's report: the suite's name, the cases' classname, (name, value) properties, the cases, the Markdown table
# (its header and rows of cells), the result's msg, and the seconds it took.
Report = collections.namedtuple('Report', 'name classname properties cases header rows msg elapsed')


def report_argument_spec():
    """The options of an entry point that writes reports."""
    return dict(report_dir=dict(type='path'), report_name=dict(type='str'))


def report_target(options, default_name):
    """(directory, name) of the reports the options ask for, or None, checked before anything is sent: the
    directory made (private) when it is not there, and writable. CdfmcOptionError for a name that cannot be a file
    name, or a directory that cannot be written."""
    directory = options.get('report_dir')
    if not directory:
        return None
    name = options.get('report_name') or default_name
    if not _NAME.match(name):
        raise CdfmcOptionError('report_name must be 1 to 100 letters, digits, ".", "_" or "-", starting with a letter '
                               'or digit (it names files), got "%s"' % shown(name, 60))
    try:
        os.makedirs(directory, 0o700, exist_ok=True)
    except OSError as exc:
        raise CdfmcOptionError('report_dir %s cannot be made: %s' % (shown(directory), exc))
    if not os.path.isdir(directory) or not os.access(directory, os.W_OK | os.X_OK):
        raise CdfmcOptionError('report_dir %s is not a directory this user can write to' % shown(directory))
    return directory, name


def xml_text(value, limit):
    """Server text as a report keeps it: escaped and cut (``shown``), and nothing left that XML cannot hold."""
    return _NOT_XML.sub(u'\ufffd', shown('' if value is None else value, limit))


def outcome_of(state, result=None):
    """A device's outcome from its state: succeeded passes, failed or cancelled is a failure, anything else (not
    finished, not known) an error; ``pending`` in a run that did not fail (check mode, wait: false) is skipped:
    nothing is known of it yet."""
    if state == SUCCEEDED:
        return PASSED
    if state == 'pending' and result is not None and not result.get('failed'):
        return SKIPPED
    return FAILURE if state in (FAILED, CANCELLED) else ERROR


def unique(cases):
    """The cases with one case per name: a name met again takes the worse outcome, and the lines of both."""
    merged = collections.OrderedDict()
    for case in cases:
        if case.name not in merged:
            merged[case.name] = case
            continue
        first = merged[case.name]
        worse = case if _RANK[case.outcome] > _RANK[first.outcome] else first
        merged[case.name] = worse._replace(out=first.out + case.out)
    return list(merged.values())


def junit_xml(report, now):
    """The JUnit XML of a report (bytes), as the Jenkins/Ant JUnit schema has it, written at ``now`` (the wall
    clock, epoch seconds)."""
    cases = unique(report.cases)
    counts = dict((outcome, len([case for case in cases if case.outcome == outcome])) for outcome in _RANK)
    seconds = max(0.0, float(report.elapsed or 0))
    totals = {'name': xml_text(report.name, 100), 'tests': str(len(cases)), 'failures': str(counts[FAILURE]),
              'errors': str(counts[ERROR]), 'time': '%.3f' % seconds}
    root = ElementTree.Element('testsuites', totals)
    suite = ElementTree.SubElement(root, 'testsuite', dict(
        totals, skipped=str(counts[SKIPPED]), timestamp=time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(now - seconds))))
    properties = ElementTree.SubElement(suite, 'properties')
    for name, value in report.properties:
        ElementTree.SubElement(properties, 'property', {'name': name, 'value': xml_text(value, CUTS[0][2])})
    seen, numbers = set(), collections.Counter()
    for case in cases:
        element = _testcase(case, report.classname)
        name = element.get('name')
        while element.get('name') in seen:  # two long names that are one once cut: CI wants them apart
            numbers[name] += 1
            element.set('name', '%s #%d' % (name, numbers[name] + 1))
        seen.add(element.get('name'))
        suite.append(element)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding='utf-8') + b'\n'


def _testcase(case, classname):
    """The ``testcase`` element of a case: with its ``skipped`` (text only, as the schema has it), ``failure`` or
    ``error``, and its ``system-out``, cut until it fits in CASE_BYTES. No time: the devices of a run share one
    (the suite's), which CI would add up."""
    for message_cut, text_cut, line_cut in CUTS:
        element = ElementTree.Element('testcase', {'classname': classname, 'name': xml_text(case.name, NAME_CUT)})
        if case.outcome == SKIPPED:
            ElementTree.SubElement(element, SKIPPED).text = xml_text(case.message or '', message_cut)
        elif case.outcome != PASSED:
            problem = ElementTree.SubElement(element, case.outcome, {
                'message': xml_text(case.message or case.outcome, message_cut), 'type': case.outcome})
            problem.text = xml_text(case.message or '', text_cut) if text_cut else None
        if line_cut:
            ElementTree.SubElement(element, 'system-out').text = '\n'.join(
                xml_text(line, line_cut) for line in case.out[:OUT_LINES])
        if len(ElementTree.tostring(element, encoding='utf-8')) <= CASE_BYTES:
            break
    return element


def _cell(value):
    """One cell of a Markdown table: server text escaped and cut, pipes escaped, on one line."""
    return shown('' if value is None else value, MESSAGE_CUT).replace('|', '\\|')


def markdown(report):
    """The Markdown report: a title, the result's msg, and the table."""
    lines = ['# %s' % _cell(report.name), '', _cell(report.msg or '-'), '',
             '| %s |' % ' | '.join(report.header), '|%s' % ('---|' * len(report.header))]
    lines.extend('| %s |' % ' | '.join(_cell(cell) for cell in row) for row in report.rows)
    return '\n'.join(lines) + '\n'


def _staged(directory, name, data):
    """``data`` (bytes) written, synced, to a new file beside ``name`` in ``directory``, readable by its owner only
    (mkstemp's mode); its path."""
    handle, temporary = tempfile.mkstemp(prefix='.%s.' % name, suffix='.tmp', dir=directory)
    try:
        with os.fdopen(handle, 'wb') as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        os.unlink(temporary)
        raise
    return temporary


def write_reports(directory, name, documents):
    """Write the reports (``documents``: {kind: (file name suffix, bytes)}) as ``<name><suffix>`` into
    ``directory``: all of them staged first, then each put in place at once, so that a run never leaves one new
    file beside an old one of the run before; {kind: path}. OSError when they cannot be written."""
    staged = {}
    try:
        for kind, (suffix, data) in documents.items():
            staged[kind] = _staged(directory, name + suffix, data)
    except BaseException:
        for temporary in staged.values():
            os.unlink(temporary)
        raise
    paths = {}
    for kind, (suffix, _data) in documents.items():
        paths[kind] = os.path.join(directory, name + suffix)
        os.replace(staged[kind], paths[kind])
    return paths


def documents(result, report, now, redact):
    """The three reports of a run, {kind: (suffix, bytes)}: its ``result`` as JSON (secrets masked by ``redact``),
    the Markdown table and the JUnit XML of its ``report``, written at ``now`` (the wall clock)."""
    text = redact(json.dumps(result, indent=2, sort_keys=True, default=str)) + '\n'
    return {'json': ('.json', text.encode('utf-8', 'backslashreplace')),
            'markdown': ('.md', markdown(report).encode('utf-8', 'backslashreplace')),
            'junit': ('.junit.xml', junit_xml(report, now))}


# What each entry point reports ----------------------------------------------------------------------------------

def _named(devices):
    """The devices an option named (a list, or ``all``), as names of cases (as given: FMC's names were not read)."""
    return [str(device).strip() for device in devices] if isinstance(devices, list) else [str(devices or 'all')]


def not_reached(result, named):
    """The cases of a run that failed with no per-device result: each device named, an error with ``msg``."""
    return [Case(name, ERROR, result.get('msg'), ['no per-device result: the task failed as msg says'])
            for name in _named(named)]


def _job_text(job):
    note = ' "%s"' % job['note'] if job.get('note') else ''
    return '%s (%s)%s' % (job.get('name') or '-', job.get('id') or '-', note)


def _rollback_text(rollback):
    if not rollback:
        return ''
    return 'rolled back: %s, to %s' % (rollback.get('state'), _job_text(rollback['job']) if rollback.get('job')
                                       else 'no job (%s)' % (rollback.get('message') or '-'))


def _device_line(device):
    return '%s %s, id %s' % (device.get('type'), device.get('name'), device.get('id'))


def _deployed_case(device, result, task):
    """The case of a device deployed: its deployment's outcome; an error when it changed and its rollback (on
    failure) did not succeed: it is neither as it was nor as it was meant to be."""
    rollback = device.get('rollback')
    outcome, message = outcome_of(device.get('state'), result), device.get('message')
    if rollback and rollback.get('state') != SUCCEEDED:
        outcome = ERROR
        message = 'its rollback did not succeed: %s' % (rollback.get('message') or rollback.get('state'))
    if outcome == SKIPPED:
        message = 'not waited for (check mode, or wait: false)'
    out = [_device_line(device), 'state: %s' % device.get('state'), 'version: %s' % device.get('version'),
           'task: %s' % (task.get('id') or '-')] + ([_rollback_text(rollback)] if rollback else [])
    return Case(device.get('name'), outcome, message, out)


def deploy_report(result, named, server, name='cdfmc_deploy'):
    """The Report of a cdfmc_deploy result: one case per device deployed and per device up to date."""
    task = result.get('task') or {}
    cases = [_deployed_case(device, result, task) for device in result.get('deployed') or []]
    rows = [[device.get('name'), device.get('type'), device.get('state'), device.get('message'),
             _rollback_text(device.get('rollback'))] for device in result.get('deployed') or []]
    for device in result.get('up_to_date') or []:
        cases.append(Case(device.get('name'), PASSED, None, [_device_line(device), 'up to date: nothing to deploy']))
        rows.append([device.get('name'), device.get('type'), 'up to date', '', ''])
    if not cases and result.get('failed'):
        cases = not_reached(result, named)
    return Report(name=name, classname='cisco.cdfmc.cdfmc_deploy', cases=cases, rows=rows,
                  properties=[('server', server), ('task', task.get('id') or '-')], msg=result.get('msg'),
                  header=['device', 'type', 'state', 'message', 'rollback'], elapsed=result.get('elapsed'))


def _rolled_back_case(device, result, task):
    outcome = outcome_of(device.get('state'), result)
    return Case(device.get('name'), outcome, 'not waited for (check mode, or wait: false)' if outcome == SKIPPED
                else device.get('message'), [_device_line(device), 'state: %s' % device.get('state'),
                                             'returned to job %s' % _job_text(device.get('job') or {}),
                                             'task: %s' % (task.get('id') or '-')])


def rollback_report(result, named, server, name='cdfmc_rollback'):
    """The Report of a cdfmc_rollback result: one case per device rolled back, unchanged, refused or not sent
    (another device was refused)."""
    task = result.get('task') or {}
    cases = [_rolled_back_case(device, result, task) for device in result.get('rolled_back') or []]
    rows = [[device.get('name'), device.get('type'), _job_text(device.get('job') or {}), device.get('state'),
             device.get('message')] for device in result.get('rolled_back') or []]
    for device in result.get('unchanged') or []:
        job = _job_text(device.get('job') or {})
        cases.append(Case(device.get('name'), PASSED, None, ['unchanged: %s' % device.get('message'),
                                                             'its current configuration: rollback job %s' % job]))
        rows.append([device.get('name'), device.get('type'), job, 'unchanged', device.get('message')])
    for key, what in (('refused', 'refused before the request'), ('not_sent', 'not sent: another device was refused')):
        for device in result.get(key) or []:
            cases.append(Case(device.get('name'), ERROR, device.get('reason') or what, [what]))
            rows.append([device.get('name'), device.get('type'), '', key.replace('_', ' '), device.get('reason')])
    if not cases and result.get('failed'):
        cases = not_reached(result, named)
    jobs = sorted(set(str((device.get('job') or {}).get('id')) for device in result.get('rolled_back') or []))
    return Report(name=name, classname='cisco.cdfmc.cdfmc_rollback', cases=cases, rows=rows,
                  properties=[('server', server), ('task', task.get('id') or '-'), ('jobs', ', '.join(jobs) or '-')],
                  header=['device', 'type', 'job', 'state', 'message'], msg=result.get('msg'),
                  elapsed=result.get('elapsed'))


def _task_cases(task):
    """The cases and table rows of one waited task: one per device of its sub-tasks; the task itself (``task
    <id>``: it names no device) when it has none, or when its last poll failed."""
    cases, rows = [], []
    for sub in task.get('sub_tasks') or []:
        name = sub.get('target_name') or sub.get('target_id') or '-'
        cases.append(Case(name, outcome_of(sub.get('state')), sub.get('message'), [
            'task %s: %s' % (task.get('id'), sub.get('state')), 'id: %s' % (sub.get('target_id') or '-')]))
        rows.append([task.get('id'), name, sub.get('state'), sub.get('message')])
    if not task.get('sub_tasks') or task.get('error'):
        problem = task.get('error') or task.get('message')
        outcome = ERROR if task.get('error') else outcome_of(task.get('state'))
        line = 'task %s: %s' % (task.get('id'), task.get('state'))
        cases.append(Case('task %s' % task.get('id'), outcome, problem, [line]))
        rows.append([task.get('id'), '-', task.get('state'), problem])
    return cases, rows


def wait_report(result, server, name='cdfmc_task_wait'):
    """The Report of a cdfmc_task_wait result: one case per device of each task (a device in several tasks once,
    with its worst outcome); a wait that failed before any task was read is one error, named after the report."""
    cases, rows = [], []
    for task in result.get('tasks') or []:
        more_cases, more_rows = _task_cases(task)
        cases.extend(more_cases)
        rows.extend(more_rows)
    if not cases and result.get('failed'):
        cases = not_reached(result, [name])
    tasks = ', '.join(str(task.get('id')) for task in result.get('tasks') or []) or '-'
    return Report(name=name, classname='cisco.cdfmc.cdfmc_task_wait', cases=cases, rows=rows,
                  properties=[('server', server), ('tasks', tasks)], header=['task', 'device', 'state', 'message'],
                  msg=result.get('msg'), elapsed=result.get('elapsed'))
