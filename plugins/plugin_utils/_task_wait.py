# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The wait of cdfmc_task_wait, put together: task ids from the options, a client, the poll threads, the
progress lines, and the result.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It is controller-only (not shipped to managed nodes); it talks HTTP
through the client and starts the poll threads.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import SYSTEM_CLOCK
from ansible_collections.cisco.cdfmc.plugins.module_utils._display import shown, unexpected
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcError
from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import TERMINAL_STATES, StatusMapper, describe_state
from ansible_collections.cisco.cdfmc.plugins.module_utils._query import compile_query
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._task_ids import extract_task_ids
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._wait import (
    DaemonThreadPool,
    Observer,
    Waiter,
    WaitSettings,
    summarize,
)


# A poll answered this many seconds after it was due says so at -vvv.
LATE_SHOWN = 1.0
# Threads that poll (most of them waiting for their turn in the request budget, which caps those in flight).
POOL_SIZE = 32


def _devices_done(facts):
    sub_tasks = facts['sub_tasks']
    done = sum(1 for sub_task in sub_tasks if sub_task['state'] in TERMINAL_STATES)
    return '%d/%d' % (done, len(sub_tasks))


class ProgressDisplay(Observer):
    """The progress lines of a wait: one per task state change at the default verbosity (an AWX job shows it as it
    happens), one per poll at -vvv. Statuses and types come from the server: shown escaped and cut, so that they
    cannot forge a log line."""

    def __init__(self, display, name='cdfmc_task_wait', clock=SYSTEM_CLOCK):
        self._display = display
        self._name = name
        self._clock = clock

    def changed(self, progress, old_status, old_state):
        facts = progress.facts
        if facts is None:
            self._display.display('%s: task %s: %s; polling until then' % (self._name, progress.id, progress.error))
            return
        self._display.display('%s: task %s%s: %s -> %s (%s), devices %s done' % (
            self._name, progress.id, ' %s' % shown(facts['task_type']) if facts['task_type'] else '',
            shown(old_status or '(none)'), shown(facts['status'] or '(none)'),
            describe_state(facts['status'], facts['state']), _devices_done(facts)))

    def polled(self, progress):
        # A poll the request budget held back (or a slow answer) says how late it came.
        late = ' (answered %.1fs after it was due: the request budget held it back, or the answer was slow)' % (
            progress.late) if progress.late >= LATE_SHOWN else ''
        if progress.error:
            self._display.vvv('%s: task %s poll %d: %s%s' % (self._name, progress.id, progress.polls, progress.error,
                                                             late))
            return
        self._display.vvv('%s: task %s poll %d: %s (%s), devices %s done, next check in %.1fs%s' % (
            self._name, progress.id, progress.polls, shown(progress.status), progress.state,
            _devices_done(progress.facts), max(0.0, (progress.next_at or 0) - self._clock.monotonic()), late))


def poll_until_done(client, task_ids, settings, observer, deadline, detailed_device_status=True):
    """Poll ``task_ids`` (unique) with ``client`` on threads of their own until ``deadline`` (a Deadline: the wait's
    timeout from its start), a stop or the end of the wait; its WaitOutcome.

    A poll that is due asks the request budget for its turn at once, on a thread of its own (up to POOL_SIZE):
    so the budget serves polls, across forks, in the order they fell due. The budget caps the requests in flight.
    """
    pool = DaemonThreadPool(min(POOL_SIZE, len(task_ids)))

    def fetch(task_id, deadline):
        try:
            return client.get_task_status(task_id, detailed_device_status, deadline=deadline)
        except CdfmcError:
            raise
        except Exception as exc:  # pylint: disable=broad-except
            raise CdfmcError(unexpected(exc, client.redact))

    budget = client.budget
    waiter = Waiter(task_ids, fetch, settings, observer=observer, pool=pool,
                    load=budget.load if budget is not None else None)
    try:
        return waiter.run(deadline)
    except BaseException:
        deadline.stop.set()  # an interrupted run: the poll threads stop at once
        raise
    finally:
        pool.shutdown()


def wait_for_task(display, name, client, task_id, settings, deadline, detailed_device_status=True):
    """Wait for the one task a request of ``name`` (cdfmc_deploy, cdfmc_rollback) started, from now until
    ``deadline``, with its progress lines on ``display``: the summary of the wait (its timeout counted from now,
    as the task's own)."""
    progress = ProgressDisplay(display, name, deadline.clock)
    outcome = poll_until_done(client, [task_id], settings, progress, deadline.restarted(), detailed_device_status)
    return summarize(outcome, [task_id], settings)


def task_wait(run):
    """The result of cdfmc_task_wait for its ActionRun: the task ids of its options, polled until each is done."""
    options = run.options
    settings = options.connection()
    wait = WaitSettings.from_options(options, settings.request_timeout, StatusMapper(options['status_map'], run.warn))
    id_query = compile_query(options['id_query'], 'id_query') if options.get('id_query') else None
    task_ids = extract_task_ids(options['task_ids'], id_query, check_mode=run.check_mode)
    if task_ids.without_id:
        run.warn('check mode: no task id in %s, which did not fail (a deployment request that sent nothing in check '
                 'mode); skipped' % ', '.join(task_ids.without_id))
    if not task_ids.ids:
        return {'skipped': True,
                'msg': 'nothing to wait on: all %d item(s) of task_ids were skipped' % task_ids.skipped}
    client = run.client()
    # The login and the domain, once and up front: a problem there is one error, not one per task.
    # Within the wait's own deadline (at least one full request, as for timeout 0).
    client.resolve_domain(run.deadline.from_start(max(wait.timeout, settings.request_timeout)))
    outcome = poll_until_done(client, task_ids.unique(), wait, ProgressDisplay(run.display, clock=run.deadline.clock),
                              run.deadline.from_start(wait.timeout), options['detailed_device_status'])
    return summarize(outcome, task_ids.ids, wait)
