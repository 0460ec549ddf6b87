# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A request budget per server, shared by every process of this user on this host: a smooth pace, a fair
order, and a cap on requests in flight.

FMC limits clients per source address (about 120 requests a minute, 10 connections). The forks of a run, and
the threads of each, share one small state file per server (through the shared-file helper):

- the pace is GCRA, the virtual-scheduling form of a token bucket: one theoretical arrival time (``tat``); a
  request may start once ``now >= tat - tolerance``, and moves ``tat`` one interval on. A small burst is let
  out at once, the rest spread evenly, so that no 60 s (plus a margin for network delay) ever holds more than
  ``per_minute`` requests. A 429 pushes ``tat`` on by its Retry-After (never more than 120 s);
- the order is tickets (flock is not first come, first served): a request takes the next ticket and starts
  when it is first in line. A ticket expires when its holder dies, or does not come back for it a few seconds
  after its turn (a stopped process);
- at most ``concurrent`` requests are in flight: one entry each, dropped when the request ends, when its
  holder dies, or after the request's own bound.

A waiter sleeps until its turn is due and looks again only then; only while the in-flight cap binds does it
look every quarter second. No secret is in a file name or content.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import hashlib
import json
import math
import os
import threading

from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import SYSTEM_CLOCK, Deadline
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcRequestError
from ansible_collections.cisco.cdfmc.plugins.module_utils._retry import RETRY_AFTER_CAP
from ansible_collections.cisco.cdfmc.plugins.module_utils._statefile import (
    SharedFileUnavailable,
    locked,
    private_directory,
    read_state,
    write_state,
)

# A request counts a little longer than the window: the server sees it after network delay.
WINDOW = 60.0 + 1.0
# A ticket whose holder has not come back this long after its turn was due is given up (a stopped process).
TICKET_SLACK = 5.0
# An entry in flight outlives its request's own bound by this much at most (a holder killed mid-request).
FLIGHT_SLACK = 5.0
# How often a waiter looks while the in-flight cap binds (another process's request may end at any time).
FLIGHT_RECHECK = 0.25
# The recent request rate: a count that decays over this many seconds (about the requests of the last half minute).
RATE_SPAN = 30.0


def _alive(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, under another user
    return True


def _decayed(rate, now):
    """A [count, when] rate as it stands now (the count decays over RATE_SPAN); 0 for anything else."""
    if not (isinstance(rate, list) and len(rate) == 2 and all(isinstance(x, (int, float)) for x in rate)):
        return 0.0
    return max(0.0, rate[0]) * math.exp(-max(0.0, now - rate[1]) / RATE_SPAN)


def _entries(value, now, alive):
    """The [ticket, pid, until] entries of a list that are still valid (each process looked up once)."""
    entries, living = [], {}
    for entry in value if isinstance(value, list) else []:
        if isinstance(entry, list) and len(entry) == 3 and all(isinstance(x, (int, float)) for x in entry):
            pid = int(entry[1])
            if pid not in living:
                living[pid] = alive(pid)
            if entry[2] > now and living[pid]:
                entries.append(entry)
    return entries


class RequestBudget:
    """At most ``per_minute`` request starts in any 60 s and ``concurrent`` in flight, per server, in turn.

    ``settings`` (ConnectionSettings) name the server, ``max_requests_per_minute``, ``max_concurrent_requests``
    and ``request_timeout`` (which bounds how long a request holds its place in flight).
    ``request(deadline)`` is a context manager around one HTTP request: it waits on the Deadline, and a stopping
    run ends the wait. ``hold(seconds)`` makes every process wait (after a 429). ``clock`` (a Clock) must be
    comparable across processes (the monotonic clock is, on one host). ``warn`` is told once when the shared file
    cannot be used and this process goes on with a budget of its own.
    """

    def __init__(self, settings, directory=None, clock=None, warn=None, window=WINDOW, alive=_alive):
        self.per_minute = int(settings.max_requests_per_minute)
        self.concurrent = int(settings.max_concurrent_requests)
        self.burst = max(1, self.per_minute // 20)
        # burst + floor(window / interval) requests at most in any window: per_minute.
        self.interval = window / (self.per_minute - self.burst) if self.per_minute > self.burst else window * 1.01
        self._tolerance = (self.burst - 1) * self.interval
        self.clock = clock or SYSTEM_CLOCK
        self._clock, self._warn, self._alive = self.clock.monotonic, warn, alive
        self._flight_bound = settings.request_timeout + FLIGHT_SLACK
        self._directory = directory or private_directory()
        key = hashlib.sha256(settings.server.encode('utf-8')).hexdigest()[:32]
        self._state_path = os.path.join(self._directory, '%s.pace' % key)
        self._lock_path = os.path.join(self._directory, '%s.pace.lock' % key)
        self._thread_lock = threading.Lock()
        self._own_state = None  # the budget of this process alone, once the shared file cannot be used
        self._repaired = False
        self._rate = (0.0, self._clock())  # the recent rate as last seen: (count, when)

    def load(self):
        """This host's recent request rate to the server, as a share of ``per_minute`` (1.0: the whole budget)."""
        count, at = self._rate
        return count * math.exp(-max(0.0, self._clock() - at) / RATE_SPAN) * (60.0 / RATE_SPAN) / self.per_minute

    @contextlib.contextmanager
    def request(self, deadline=None):
        """Wait for this request's turn in the pace and a place in flight, and hold the place for the request."""
        deadline = deadline or Deadline(clock=self.clock)
        ticket = self._update(deadline, self._join)
        try:
            while ticket['wake'] is not None:
                if ticket['wake'] >= deadline.at:
                    raise CdfmcRequestError('the deadline came before %s' % ticket['cause'])
                if deadline.sleep(ticket['wake'] - self._clock()):
                    raise CdfmcRequestError('interrupted while waiting for %s' % ticket['cause'])
                self._update(deadline, lambda state: self._claim(state, ticket))
            yield
        finally:
            self._update(deadline.unbounded(), lambda state: self._leave(state, ticket['number']))

    def hold(self, seconds, deadline=None):
        """Make every process sharing this budget wait ``seconds`` (at most 120) before its next request."""
        deadline = deadline or Deadline(clock=self.clock)

        def hold_off(state):
            now = self._clock()
            until = now + min(max(0.0, float(seconds)), RETRY_AFTER_CAP)
            state['tat'] = max(self._tat(state, now), until + self._tolerance)
            state['held'] = until  # only to say why a request waits
        self._update(deadline, hold_off)

    def _tat(self, state, now):
        """The theoretical arrival time, never more than the burst and 120 s ahead (whatever the file says)."""
        tat = state.get('tat')
        tat = tat if isinstance(tat, (int, float)) and not isinstance(tat, bool) else now
        return min(max(tat, now - self._tolerance), now + self._tolerance + RETRY_AFTER_CAP)

    def _join(self, state):
        """Take the next ticket, and claim at once when it is first in line."""
        number = state.get('next') if isinstance(state.get('next'), int) else 0
        state['next'] = number + 1
        now = self._clock()
        state.setdefault('queue', []).append([number, os.getpid(), now + TICKET_SLACK])
        ticket = {'number': number}
        self._claim(state, ticket)
        return ticket

    def _claim(self, state, ticket):
        """Start the request when its turn has come; else set when to look again (``wake``) and why."""
        now = self._clock()
        queue, flight = _entries(state.get('queue'), now, self._alive), _entries(state.get('flight'), now, self._alive)
        tat = state['tat'] = self._tat(state, now)
        mine = [index for index, entry in enumerate(queue) if entry[0] == ticket['number']]
        if not mine:  # given up while this process was not looking (stopped): in line again, at the end
            queue.append([ticket['number'], os.getpid(), now])
            mine = [len(queue) - 1]
        position = mine[0]
        turn = max(now, tat - self._tolerance) + position * self.interval
        if position == 0 and turn <= now and len(flight) < self.concurrent:
            del queue[0]
            flight.append([ticket['number'], os.getpid(), now + self._flight_bound])
            state['tat'] = max(tat, now) + self.interval
            state['rate'] = [_decayed(state.get('rate'), now) + 1, now]
            ticket.update(wake=None, cause=None)
        elif turn > now:
            held = state.get('held')
            ticket.update(wake=turn, cause='the end of the hold-off the server asked for (HTTP 429)'
                          if isinstance(held, (int, float)) and held > now else
                          'its turn in the request budget (max_requests_per_minute)')
        else:
            earliest_end = min(entry[2] for entry in flight)
            ticket.update(wake=min(earliest_end, now + FLIGHT_RECHECK),
                          cause='a request in flight to end (max_concurrent_requests)')
        if ticket['wake'] is not None:
            queue[position][2] = ticket['wake'] + TICKET_SLACK  # still coming back for it
        state.update(queue=queue, flight=flight)
        self._rate = (_decayed(state.get('rate'), now), now)

    def _leave(self, state, number):
        now = self._clock()
        state['queue'] = [entry for entry in _entries(state.get('queue'), now, self._alive) if entry[0] != number]
        state['flight'] = [entry for entry in _entries(state.get('flight'), now, self._alive) if entry[0] != number]

    def _update(self, deadline, change):
        """Apply ``change(state)`` to the shared state under its lock (read, changed, written whole), or to this
        process's own state once the shared file cannot be used; return what it returns."""
        with self._thread_lock:
            if self._own_state is None:
                try:
                    with locked(self._lock_path, deadline):
                        state, problem = read_state(self._state_path)
                        state = state or {}
                        result = change(state)
                        self._write(state, problem)
                        return result
                except SharedFileUnavailable as exc:
                    if deadline is not None and deadline.expired:
                        raise CdfmcRequestError('the deadline came before the request budget\'s lock was free (%s)' % exc)
                    self._go_alone(str(exc))
            return change(self._own_state)

    def _write(self, state, problem):
        write_state(self._state_path, json.dumps(state))
        if problem and not self._repaired:
            self._repaired = True
            if self._warn is not None:
                self._warn('cisco.cdfmc: the request budget state was damaged and has been replaced (%s)' % problem)

    def _go_alone(self, problem):
        """From now on, a budget of this process alone (called with the thread lock held)."""
        if self._own_state is None:
            self._own_state = {}
            if self._warn is not None:
                self._warn('cisco.cdfmc: the request budget shared with other processes in %s cannot be used (%s); '
                           'this process goes on with a budget of its own. If this lasts, look for a stopped process '
                           'of this user, or remove what is not a regular private file there' % (self._directory, problem))
