# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Waiting on many tasks, on the controller: what a wait is asked for, the poll schedule, the wait loop, its
thread pool, and the summary of the outcome.

The loop polls through a ``fetch`` function it is given and runs the fetches on a pool of daemon threads (or
inline, in tests); it reads a clock it is given, so tests drive it with a fake one. The rules of a wait live
here: the schedule of each task, the deadline, the 404 grace, until_query and fail_fast.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It is controller-only (not shipped to managed nodes).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import concurrent.futures
import math
import queue
import random
import threading

from ansible_collections.cisco.cdfmc.plugins.module_utils._connection_spec import connection_argument_spec
from ansible_collections.cisco.cdfmc.plugins.module_utils._display import shown, unexpected
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import (
    CdfmcError,
    CdfmcOptionError,
    CdfmcRequestError,
    CdfmcResponseError,
)
from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import (
    CANCELLED,
    FAILED,
    SUCCEEDED,
    UNKNOWN,
    StatusMapper,
    describe_state,
    is_partial_success,
    task_facts,
    task_facts_argument_spec,
)
from ansible_collections.cisco.cdfmc.plugins.module_utils._query import compile_query, run_query
from ansible_collections.cisco.cdfmc.plugins.module_utils._retry import polled_again
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._reports import report_argument_spec

GROWTH = 1.5
JITTER = 0.2
# While this host's recent request rate to the server stays below this share of max_requests_per_minute, every
# task is polled every poll_interval; above it, gaps grow toward max_poll_interval (and shrink back below it).
BUSY_SHARE = 0.5
# Seconds kept before the deadline for a last check of a task whose next poll would fall after it.
FINAL_CHECK_MARGIN = 2.0
# Longest single wait of the loop: keeps it responsive to a stop request.
_LONGEST_WAIT = 0.5


def wait_timing_argument_spec():
    """The options that time a wait and judge its end, one definition for cdfmc_task_wait, cdfmc_deploy and the
    wait_for_tasks role (as its ``wait_for_tasks_`` variables)."""
    return dict(
        timeout=dict(type='int', default=1800),
        poll_interval=dict(type='float', default=5.0),
        max_poll_interval=dict(type='float', default=30.0),
        not_found_grace=dict(type='int', default=60),
        fail_on_failure=dict(type='bool', default=True),
    )


def wait_argument_spec():
    """The options of cdfmc_task_wait: the connection options, the wait's timing, and its own."""
    spec = connection_argument_spec()
    spec.update(
        task_ids=dict(type='raw', required=True, aliases=['task_id', 'tasks']),
        id_query=dict(type='str'),
        until_query=dict(type='str'),
        fail_fast=dict(type='bool', default=False),
    )
    spec.update(wait_timing_argument_spec())
    spec.update(task_facts_argument_spec())
    spec.update(report_argument_spec())
    return spec


class WaitSettings:
    """What a wait is asked for, checked once: timing, the until query, fail fast, raw facts, the 404 grace and
    how statuses map to states (``mapper``, a StatusMapper). What is not given is what the options default to.

    The timeout counts from the start of the Deadline the wait is given. Build it from the options of an entry
    point with ``from_options``.
    """

    OPTIONS = ('timeout', 'poll_interval', 'max_poll_interval', 'request_timeout', 'until_query', 'fail_fast',
               'fail_on_failure', 'include_raw', 'not_found_grace')
    DEFAULTS = dict(dict((name, wait_argument_spec()[name].get('default')) for name in OPTIONS), mapper=None)

    def __init__(self, **options):
        unknown = set(options) - set(self.DEFAULTS)
        if unknown:
            raise TypeError('unknown wait settings: %s' % ', '.join(sorted(unknown)))
        for name, default in self.DEFAULTS.items():
            setattr(self, name, options.get(name, default))
        self.mapper = self.mapper or StatusMapper()
        if self.timeout is None or self.timeout < 0:
            raise CdfmcOptionError('timeout must be 0 (check once) or a positive number of seconds, got %r'
                                   % (self.timeout,))
        if self.not_found_grace is None or self.not_found_grace < 0:
            raise CdfmcOptionError('not_found_grace must be 0 (off) or a positive number of seconds, got %r'
                                   % (self.not_found_grace,))
        if not self.poll_interval > 0 or self.poll_interval == float('inf'):
            raise CdfmcOptionError('poll_interval must be a positive number of seconds, got %r' % (self.poll_interval,))
        if not self.max_poll_interval >= self.poll_interval or self.max_poll_interval == float('inf'):
            raise CdfmcOptionError('max_poll_interval (%r) must not be below poll_interval (%r)'
                                   % (self.max_poll_interval, self.poll_interval))

    def bounded(self):
        """These settings, for an entry point that changes something and must end (cdfmc_deploy, cdfmc_rollback):
        a timeout of 0 (check once) means nothing there, and is refused."""
        if self.timeout <= 0:
            raise CdfmcOptionError('timeout must be a positive number of seconds, got %r' % (self.timeout,))
        return self

    @classmethod
    def from_options(cls, options, request_timeout, mapper=None):
        """The wait settings of an entry point's options (an OptionAdapter; those it does not have default)."""
        fields = dict((name, options.get(name)) for name in cls.OPTIONS if options.get(name) is not None)
        if not options.given('max_poll_interval') and fields['poll_interval'] > fields['max_poll_interval']:
            # A long poll_interval alone means that gap throughout, not a refusal over the default maximum.
            fields['max_poll_interval'] = fields['poll_interval']
        if fields.get('until_query'):
            fields['until_query'] = compile_query(fields['until_query'], 'until_query')
        return cls(mapper=mapper, **dict(fields, request_timeout=request_timeout))


class PollSchedule:
    """Gaps between polls of one task, knowing the budget: poll_interval while the budget has room; while it is
    busy, ×1.5 per poll up to max_poll_interval, shrinking back ÷1.5 per poll once it is not; back to
    poll_interval when the status changes. ±20% jitter, never below poll_interval nor above max_poll_interval."""

    def __init__(self, poll_interval, max_poll_interval, rand=random.random):
        self.poll_interval = float(poll_interval)
        self.max_poll_interval = float(max_poll_interval)
        self._rand = rand

    def next_base(self, base, changed, busy=True):
        """The un-jittered gap after a poll, given the previous one (None before the first) and whether this
        host's requests to the server use more than half the budget."""
        if base is None or changed:
            return self.poll_interval
        if busy:
            return min(base * GROWTH, self.max_poll_interval)
        return max(base / GROWTH, self.poll_interval)

    def jittered(self, base):
        """The gap planned."""
        return min(self.max_poll_interval, max(self.poll_interval, base * (1 - JITTER + 2 * JITTER * self._rand())))


class TaskProgress:
    """What the wait knows of one task."""

    def __init__(self, task_id):
        self.id = task_id
        self.facts = None
        self.polls = 0
        self.error = None
        self.done = False
        self.done_at = None
        self.until_matched = False
        self.not_visible = False  # answered only 404 so far, within not_found_grace
        self.next_at = None
        self.polled_at = None  # when its last answer came
        self.late = 0.0  # how long after it was due its last answer came (the budget may delay a poll)
        self.base = None
        self.in_flight = False

    @property
    def state(self):
        return self.facts['state'] if self.facts else UNKNOWN

    @property
    def status(self):
        return self.facts['status'] if self.facts else None

    def end(self, now):
        self.done, self.done_at = True, now


class WaitOutcome(collections.namedtuple('WaitOutcome', 'tasks started ended timed_out stopped_by_failure interrupted')):
    """The end of a wait: progress per task id (TaskProgress), when it started and ended, and how it ended."""

    __slots__ = ()

    @property
    def elapsed(self):
        return self.ended - self.started


class Observer:
    """What a wait tells as it goes (nothing, here): ``changed(progress, old_status, old_state)`` when a task's
    status or state changes, or when it is first found not visible yet (its facts still None), and
    ``polled(progress)`` after every poll."""

    def changed(self, progress, old_status, old_state):
        pass

    def polled(self, progress):
        pass


def _is_not_found(error):
    return isinstance(error, CdfmcRequestError) and not isinstance(error, CdfmcResponseError) and error.status == 404


class Waiter:
    """Polls each task on its own schedule until it is done, the deadline passes, or a stop.

    ``fetch(task_id, deadline)`` returns the task's JSON object or raises; ``settings`` is a WaitSettings.
    ``pool`` runs the fetches (``submit``) and waits for the first answers (``wait_any(futures, seconds)``): a
    thread pool in production, inline without one. ``observer`` is told of changes and polls; ``load()`` is this
    host's recent request rate as a share of the budget (the schedule slows down above half of it); ``rand``
    jitters the schedule.

    Due polls start in the order their tasks were last polled, longest ago first: when the budget binds, every
    task gets its turn.

    A task that was never seen and answers 404 within ``not_found_grace`` seconds of the start is not visible
    yet (FMC may take seconds to show a task it just created); after that, 404 ends it. A task seen before
    that answers 404 has disappeared, and ends at once.
    """

    def __init__(self, task_ids, fetch, settings, observer=None, pool=None, load=None, rand=random.random):
        self.tasks = dict((task_id, TaskProgress(task_id)) for task_id in task_ids)
        self._fetch = fetch
        self._settings = settings
        self._schedule = PollSchedule(settings.poll_interval, settings.max_poll_interval, rand)
        self._observer = observer or Observer()
        self._pool = pool or InlinePool()
        self._load = load or (lambda: 0.0)
        self._in_flight = {}

    def run(self, deadline):
        """Wait until ``deadline`` (a Deadline: the wait's timeout from its start) or its stop, and return a
        WaitOutcome; answers still out are waited for ``request_timeout`` more at most."""
        settings = self._settings
        self._deadline, self._now = deadline, deadline.clock.monotonic
        self._started, self._ends = deadline.started, deadline.at
        # A first check gets a full request_timeout from the start, even with timeout 0.
        self._first_deadline = deadline.at_least(settings.request_timeout)
        self._grace_ends = self._started + settings.not_found_grace
        # Answers still out are not waited for beyond this: the wait's whole bound.
        hard_stop = self._ends + settings.request_timeout
        for progress in self.tasks.values():
            progress.next_at = self._started
        timed_out = stopped_by_failure = interrupted = False
        while not (timed_out or stopped_by_failure or interrupted):
            if deadline.stopping:
                interrupted = True
                break
            now = self._now()
            self._start_due_polls(now)
            pending = [p for p in self.tasks.values() if not p.done]
            if not pending:
                break
            if not self._in_flight and now >= self._ends or now >= hard_stop:
                timed_out = True
                break
            stopped_by_failure = self._collect_answers(self._pause(now, pending))
        for future in self._in_flight:
            future.cancel()
        return WaitOutcome(self.tasks, self._started, self._now(), timed_out, stopped_by_failure, interrupted)

    def _start_due_polls(self, now):
        due = [p for p in self.tasks.values() if not (p.done or p.in_flight or p.next_at > now)]
        due.sort(key=lambda progress: -1.0 if progress.polled_at is None else progress.polled_at)
        for progress in due:
            request_deadline = self._deadline if progress.polls else self._first_deadline
            if now >= request_deadline.at:
                continue
            progress.in_flight = True
            self._in_flight[self._pool.submit(self._fetch, progress.id, request_deadline)] = progress

    def _pause(self, now, pending):
        """How long to wait now: until the next poll is due, or the deadline (at most half a second)."""
        # Only tasks that may still be polled set the next wake-up; past the deadline, the loop
        # just waits for the answers still out.
        ends = self._ends
        pollable = [p.next_at for p in pending if not p.in_flight and (not p.polls or p.next_at < ends)]
        wake_at = min(pollable + ([ends] if now < ends else [])) if pollable or now < ends else None
        return _LONGEST_WAIT if wake_at is None else min(max(wake_at - now, 0.0), _LONGEST_WAIT)

    def _collect_answers(self, pause):
        """Wait up to ``pause`` for answers and record them; True when fail_fast ends the wait."""
        if self._in_flight:
            finished = self._pool.wait_any(list(self._in_flight), pause)
        else:
            self._deadline.sleep(pause)
            finished = []
        stop = False
        for future in finished:
            progress = self._in_flight.pop(future)
            progress.in_flight = False
            self._record(progress, future)
            if self._settings.fail_fast and progress.done and progress.state in (FAILED, CANCELLED):
                stop = True
        return stop

    def _record(self, progress, future):
        now = self._now()
        progress.polls += 1
        progress.late, progress.polled_at = max(0.0, now - progress.next_at), now
        changed = False
        try:
            facts = task_facts(progress.id, future.result(), self._settings.mapper,
                               include_raw=self._settings.include_raw)
        except Exception as exc:  # pylint: disable=broad-except
            progress.error = str(exc) if isinstance(exc, CdfmcError) else unexpected(exc)
            if _is_not_found(exc):
                self._not_found(progress, exc, now)
            elif not polled_again(exc):
                progress.end(now)
        else:
            changed = self._take(progress, facts, now)
        if not progress.done:
            self._plan_next_poll(progress, changed and progress.polls > 1, now)
        self._observer.polled(progress)

    def _take(self, progress, facts, now):
        """Record a task's new facts; True when its status or state changed."""
        old_status, old_state = progress.status, progress.state if progress.facts else None
        progress.facts, progress.error, progress.not_visible = facts, None, False
        changed = progress.polls == 1 or (old_status, old_state) != (facts['status'], facts['state'])
        if changed:
            self._observer.changed(progress, old_status, old_state)
        if facts['terminal']:
            progress.end(now)
        elif self._settings.until_query is not None:
            try:
                matched = run_query(self._settings.until_query, facts)
            except CdfmcOptionError as exc:
                progress.error = 'until_query: %s' % exc
                progress.end(now)
            else:
                if matched:
                    progress.until_matched = True
                    progress.end(now)
        return changed

    def _plan_next_poll(self, progress, changed, now):
        progress.base = self._schedule.next_base(progress.base, changed, busy=self._load() >= BUSY_SHARE)
        next_at = now + self._schedule.jittered(progress.base)
        # A poll must start early enough to finish before the deadline; rather than one too late,
        # a last look at the latest useful moment, or none when that is too soon after this one.
        latest = self._ends - min(FINAL_CHECK_MARGIN, self._settings.request_timeout)
        if progress.not_visible and now < self._grace_ends < next_at:
            next_at = self._grace_ends  # the last 404 that may still be "not yet" is the one at its end
        if next_at > latest:
            next_at = latest if latest >= now + self._schedule.poll_interval else float('inf')
        progress.next_at = next_at

    def _not_found(self, progress, error, now):
        """A 404: not visible yet within the grace, else the end of this task."""
        if progress.facts is not None:
            progress.error = ('task %s disappeared: it answered before, and now HTTP 404 (FMC may delete a task '
                              'once it ends): %s' % (progress.id, error))
        elif now < self._grace_ends:
            progress.error = 'not visible yet (404), grace ends in %d s' % math.ceil(self._grace_ends - now)
            if not progress.not_visible:
                progress.not_visible = True
                self._observer.changed(progress, None, None)
            return
        elif self._settings.not_found_grace:
            progress.error = ('task %s was not found (HTTP 404) from the start of the wait to the end of '
                              'not_found_grace (%d s): check the task id and the domain: %s'
                              % (progress.id, self._settings.not_found_grace, error))
        progress.end(now)


def _wait_any(futures, seconds):
    done, _not_done = concurrent.futures.wait(futures, timeout=seconds, return_when=concurrent.futures.FIRST_COMPLETED)
    return done


class InlinePool:
    """Runs each fetch at once, in the thread that waits (tests, with a fake clock)."""

    def submit(self, function, *args):
        future = concurrent.futures.Future()
        try:
            future.set_result(function(*args))
        except Exception as exc:  # pylint: disable=broad-except
            future.set_exception(exc)
        return future

    def wait_any(self, futures, seconds):
        """The futures that are done, waiting up to ``seconds`` for one."""
        return _wait_any(futures, seconds)


class DaemonThreadPool:
    """A small pool of daemon threads: an interrupted run exits without waiting for a request in flight."""

    def __init__(self, size, name='cdfmc-poll'):
        self._queue = queue.Queue()
        self._threads = []
        for index in range(max(1, size)):
            thread = threading.Thread(target=self._work, name='%s-%d' % (name, index))
            thread.daemon = True
            thread.start()
            self._threads.append(thread)

    def _work(self):
        while True:
            item = self._queue.get()
            if item is None:
                return
            future, function, args = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(function(*args))
            except BaseException as exc:  # pylint: disable=broad-except
                future.set_exception(exc)

    def submit(self, function, *args):
        future = concurrent.futures.Future()
        self._queue.put((future, function, args))
        return future

    def wait_any(self, futures, seconds):
        """The futures that are done, waiting up to ``seconds`` for one."""
        return _wait_any(futures, seconds)

    def shutdown(self):
        """Ask the threads to end once idle; does not wait for them."""
        for _thread in self._threads:
            self._queue.put(None)


def unread_task_facts(task_id, mapper, include_raw):
    """The facts of a task never read: its id, nothing known, and ``raw`` None when raw answers are asked for."""
    facts = task_facts(task_id, {}, mapper, include_raw=False)
    if include_raw:
        facts['raw'] = None
    return facts


def _task_result(progress, outcome, settings):
    facts = progress.facts
    if facts is None:
        facts = unread_task_facts(progress.id, settings.mapper, settings.include_raw)
    result = dict(facts)
    result['elapsed'] = round((progress.done_at if progress.done_at is not None else outcome.ended) - outcome.started, 3)
    result['polls'] = progress.polls
    result['error'] = progress.error
    return result


def task_problem(task):
    """What went wrong with one task (its facts), in one line, or None: the task's state and message, and each
    failed device with its message. Names, types and messages come from the server: shown escaped and cut."""
    devices = ['device %s %s: %s' % (shown(sub['target_name'] or sub['target_id'] or '?'),
                                     'partially succeeded' if is_partial_success(sub['status']) else 'failed',
                                     shown(sub['message'] or 'no message'))
               for sub in task['sub_tasks'] if sub['state'] == FAILED]
    if task['state'] not in (FAILED, CANCELLED) and not devices:
        return None
    # A task still running may already have failed devices: name them too.
    line = 'task %s%s %s%s' % (task['id'], ' (%s)' % shown(task['task_type']) if task['task_type'] else '',
                               '' if task['terminal'] else 'still ', describe_state(task['status'], task['state']))
    if task['message']:
        line += ': %s' % shown(task['message'])
    return '; '.join([line] + devices)


def _problems(unique, outcome, timeout):
    problems = [problem for problem in (task_problem(task) for task in unique) if problem]
    problems.extend('task %s: %s' % (task['id'], task['error']) for task in unique if task['error'])
    if outcome.timed_out:
        waiting = ['%s (%s)' % (task['id'], 'not visible yet: HTTP 404 since the start'
                                if outcome.tasks[task['id']].not_visible else task['state'])
                   for task in unique if not task['terminal'] and not outcome.tasks[task['id']].done]
        problems.append('timed out after %ss with %d task(s) unfinished: %s' % (timeout, len(waiting), ', '.join(waiting)))
    if outcome.stopped_by_failure:
        problems.append('stopped at the first failure (fail_fast)')
    if outcome.interrupted:
        problems.append('interrupted')
    return problems


def summarize(outcome, task_ids, settings):
    """Build the cdfmc_task_wait result (without ``requests``) from a WaitOutcome of a wait with ``settings``.

    ``task_ids`` are the ids in input order, duplicates included: each position gets its facts.
    """
    per_id = dict((task_id, _task_result(progress, outcome, settings))
                  for task_id, progress in outcome.tasks.items())
    tasks = [dict(per_id[task_id]) for task_id in task_ids]
    summary = {
        'total': len(tasks),
        'succeeded': sum(1 for task in tasks if task['state'] == SUCCEEDED),
        'failed': sum(1 for task in tasks if task['state'] == FAILED),
        'cancelled': sum(1 for task in tasks if task['state'] == CANCELLED),
        'unfinished': sum(1 for task in tasks if not task['terminal']),
        'errors': sum(1 for task in tasks if task['error']),
    }
    all_succeeded = summary['succeeded'] == summary['total']
    problems = _problems([per_id[task_id] for task_id in outcome.tasks], outcome, settings.timeout)
    ended_badly = summary['failed'] or summary['cancelled']
    failed = bool(outcome.timed_out or outcome.interrupted or summary['errors'] or
                  (settings.fail_on_failure and ended_badly))
    if problems:
        msg = '%d of %d task(s) did not succeed: %s' % (summary['total'] - summary['succeeded'], summary['total'],
                                                        ' | '.join(problems))
    elif all_succeeded:
        msg = 'all %d task(s) succeeded in %.1fs' % (summary['total'], outcome.elapsed)
    else:
        msg = '%d of %d task(s) succeeded; the others met until_query' % (summary['succeeded'], summary['total'])
    return {'failed': failed, 'tasks': tasks, 'summary': summary, 'all_succeeded': all_succeeded,
            'timed_out': outcome.timed_out, 'elapsed': round(outcome.elapsed, 3), 'msg': msg}
