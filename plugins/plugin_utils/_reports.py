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

PASSED, FAILURE, ERROR = 'passed', 'failure', 'error'
_RANK = {PASSED: 0, FAILURE: 1, ERROR: 2}
# How much text a test case keeps, as (name, FMC's message as a failure's attribute, its text, each line of
# output), tried in turn until the case fits in CASE_BYTES once written (XML's escapes make text up to six times
# longer): 10,000 devices stay under GitLab's 30 MB a file, whatever the server says.
CUTS = ((200, 200, 500, 200), (100, 80, 160, 80), (60, 40, 0, 0))
CASE_BYTES = 2500
OUT_LINES = 6
MESSAGE_CUT = CUTS[0][1]
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
    """(directory, name) of the reports the options ask for, or None; CdfmcOptionError for a name that cannot be a
    file name."""
    directory = options.get('report_dir')
    if not directory:
        return None
    name = options.get('report_name') or default_name
    if not _NAME.match(name):
        raise CdfmcOptionError('report_name must be 1 to 100 letters, digits, ".", "_" or "-", starting with a letter '
                               'or digit (it names files), got %r' % shown(name, 60))
    return directory, name


def xml_text(value, limit):
    """Server text as a report keeps it: escaped and cut (``shown``), and nothing left that XML cannot hold."""
    return _NOT_XML.sub(u'\ufffd', shown('' if value is None else value, limit))


def outcome_of(state):
    """A device's outcome from its state: succeeded passes, failed or cancelled is a failure, anything else (not
    finished, not known) an error."""
    if state == SUCCEEDED:
        return PASSED
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
    elapsed = '%.3f' % max(0.0, float(report.elapsed or 0))
    totals = {'name': xml_text(report.name, 100), 'tests': str(len(cases)), 'failures': str(counts[FAILURE]),
              'errors': str(counts[ERROR]), 'time': elapsed}
    root = ElementTree.Element('testsuites', totals)
    suite = ElementTree.SubElement(root, 'testsuite', dict(
        totals, skipped='0', timestamp=time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(now))))
    properties = ElementTree.SubElement(suite, 'properties')
    for name, value in report.properties:
        ElementTree.SubElement(properties, 'property', {'name': name, 'value': xml_text(value, CUTS[0][2])})
    seen, numbers = set(), collections.Counter()
    for case in cases:
        element = _testcase(case, report.classname, elapsed)
        name = element.get('name')
        while element.get('name') in seen:  # two long names that are one once cut: CI wants them apart
            numbers[name] += 1
            element.set('name', '%s #%d' % (name, numbers[name] + 1))
        seen.add(element.get('name'))
        suite.append(element)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding='utf-8') + b'\n'


def _testcase(case, classname, elapsed):
    """The ``testcase`` element of a case: with its ``failure`` or ``error`` and its ``system-out``, cut until it
    fits in CASE_BYTES."""
    for name_cut, message_cut, text_cut, line_cut in CUTS:
        element = ElementTree.Element('testcase', {'classname': classname, 'name': xml_text(case.name, name_cut),
                                                   'time': elapsed})
        if case.outcome != PASSED:
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


def _write(directory, name, data):
    """Write ``data`` (bytes) as ``name`` in ``directory`` atomically, readable by its owner only; its path."""
    path = os.path.join(directory, name)
    handle, temporary = tempfile.mkstemp(prefix='.%s.' % name, suffix='.tmp', dir=directory)
    try:
        with os.fdopen(handle, 'wb') as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return path


def write_reports(directory, name, result, report, now):
    """Write the three reports of a run (``result``: the task's result) into ``directory`` (made, private, when it
    is not there), at ``now`` (the wall clock); {json, markdown, junit}: their paths. OSError when they cannot be
    written."""
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o700)
    document = json.dumps(result, indent=2, sort_keys=True, default=str) + '\n'
    return {'json': _write(directory, name + '.json', document.encode('utf-8', 'backslashreplace')),
            'markdown': _write(directory, name + '.md', markdown(report).encode('utf-8', 'backslashreplace')),
            'junit': _write(directory, name + '.junit.xml', junit_xml(report, now))}


# What each entry point reports ----------------------------------------------------------------------------------

def _named(devices):
    """The devices an option named (a list, or ``all``), as names of cases."""
    return [str(device) for device in devices] if isinstance(devices, list) else [str(devices or 'all')]


def not_reached(result, named):
    """The cases of a run that failed before any device was reached: each device named, an error with ``msg``."""
    return [Case(name, ERROR, result.get('msg'), ['not reached: the task failed before the request'])
            for name in _named(named)]


def _outcome(state, result):
    """A device's outcome; ``pending`` passes when the run did not fail (check mode, or wait: false)."""
    return PASSED if state == 'pending' and not result.get('failed') else outcome_of(state)


def _job_text(job):
    return '%s (%s)%s' % (job.get('name') or '-', job.get('id') or '-', ' "%s"' % job['note'] if job.get('note') else '')


def _rollback_text(rollback):
    if not rollback:
        return ''
    return 'rolled back: %s, to %s' % (rollback.get('state'), _job_text(rollback['job']) if rollback.get('job')
                                       else 'no job (%s)' % (rollback.get('message') or '-'))


def deploy_report(result, named, server, name='cdfmc_deploy'):
    """The Report of a cdfmc_deploy result: one case per device deployed and per device up to date."""
    task = result.get('task') or {}
    cases, rows = [], []
    for device in result.get('deployed') or []:
        rollback = _rollback_text(device.get('rollback'))
        out = ['%s %s, id %s' % (device.get('type'), device.get('name'), device.get('id')),
               'state: %s' % device.get('state'), 'version: %s' % device.get('version'),
               'task: %s' % (task.get('id') or '-')] + ([rollback] if rollback else [])
        cases.append(Case(device.get('name'), _outcome(device.get('state'), result), device.get('message'), out))
        rows.append([device.get('name'), device.get('type'), device.get('state'), device.get('message'), rollback])
    for device in result.get('up_to_date') or []:
        cases.append(Case(device.get('name'), PASSED, None, [
            '%s %s, id %s' % (device.get('type'), device.get('name'), device.get('id')), 'up to date: nothing to deploy']))
        rows.append([device.get('name'), device.get('type'), 'up to date', '', ''])
    if not cases and result.get('failed'):
        cases = not_reached(result, named)
    return Report(name, 'cisco.cdfmc.cdfmc_deploy', [('server', server), ('task', task.get('id') or '-')], cases,
                  ['device', 'type', 'state', 'message', 'rollback'], rows, result.get('msg'), result.get('elapsed'))


def rollback_report(result, named, server, name='cdfmc_rollback'):
    """The Report of a cdfmc_rollback result: one case per device rolled back, unchanged or refused."""
    task = result.get('task') or {}
    cases, rows = [], []
    for device in result.get('rolled_back') or []:
        job = _job_text(device.get('job') or {})
        cases.append(Case(device.get('name'), _outcome(device.get('state'), result), device.get('message'), [
            '%s %s, id %s' % (device.get('type'), device.get('name'), device.get('id')),
            'state: %s' % device.get('state'), 'returned to job %s' % job, 'task: %s' % (task.get('id') or '-')]))
        rows.append([device.get('name'), device.get('type'), job, device.get('state'), device.get('message')])
    for device in result.get('unchanged') or []:
        job = _job_text(device.get('job') or {})
        cases.append(Case(device.get('name'), PASSED, None, ['unchanged: %s' % device.get('message'),
                                                             'its current configuration: rollback job %s' % job]))
        rows.append([device.get('name'), device.get('type'), job, 'unchanged', device.get('message')])
    for device in result.get('refused') or []:
        cases.append(Case(device.get('name'), ERROR, device.get('reason'), ['refused before the request']))
        rows.append([device.get('name'), device.get('type'), '', 'refused', device.get('reason')])
    if not cases and result.get('failed'):
        cases = not_reached(result, named)
    jobs = sorted(set(str((device.get('job') or {}).get('id')) for device in result.get('rolled_back') or []))
    return Report(name, 'cisco.cdfmc.cdfmc_rollback', [('server', server), ('task', task.get('id') or '-'),
                                                       ('jobs', ', '.join(jobs) or '-')],
                  cases, ['device', 'type', 'job', 'state', 'message'], rows, result.get('msg'), result.get('elapsed'))


def _task_cases(task):
    """The cases and table rows of one waited task: one per device of its sub-tasks; the task itself when it has
    none, or when its last poll failed."""
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
    with its worst outcome)."""
    cases, rows = [], []
    for task in result.get('tasks') or []:
        more_cases, more_rows = _task_cases(task)
        cases.extend(more_cases)
        rows.extend(more_rows)
    tasks = ', '.join(str(task.get('id')) for task in result.get('tasks') or []) or '-'
    return Report(name, 'cisco.cdfmc.cdfmc_task_wait', [('server', server), ('tasks', tasks)], cases,
                  ['task', 'device', 'state', 'message'], rows, result.get('msg'), result.get('elapsed'))
