# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A request budget per server, shared by every process of this user on this host.

FMC limits clients per source address (about 120 requests a minute, 10
connections), so the forks of one ansible-playbook run must share one budget:
small files under a private per-user temp directory, locked with flock, hold
the send times of the last minute (grouped per quarter second), a hold-off time after a 429, and one lock
file per concurrent-request slot. No secret is in a file name or content.

When the shared files stay locked (a stopped or stuck neighbour) or cannot be used, the budget goes on with
a budget of this process alone, and says so once.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import fcntl
import hashlib
import json
import os
import threading
import time

from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcRequestError
from ansible_collections.cisco.cdfmc.plugins.module_utils._retry import RETRY_AFTER_CAP
from ansible_collections.cisco.cdfmc.plugins.module_utils._statefile import (
    LOCK_PATIENCE,
    SharedFileUnavailable,
    locked,
    open_private,
    private_directory,
    read_state,
    write_state,
)

WINDOW_SECONDS = 60.0
# A request counts a little longer than the window: the server's clock sees it after network delay,
# and a request delayed at the start of a window must not let one too many in at its end.
DELAY_MARGIN = 1.0
# Sends within this many seconds share one [latest send time, count] entry, counted as sent at the
# latest: the state stays small however high the rate (a JSON file read and written per request),
# and a request is never let out of the window early.
BUCKET_SECONDS = 0.25
# How long one wait may last before the budget is looked at again (keeps waits interruptible).
_RECHECK = 0.05
_MAX_NAP = 0.5


def _recent(entries, now, window):
    """The [time, count] entries still inside the window. A bare time (as older releases of the
    collection wrote) counts as one send; anything else, or a time from another boot or a clock
    far off, is dropped rather than trusted."""
    recent = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, (int, float)) and not isinstance(entry, bool):
            entry = [entry, 1]
        if not isinstance(entry, list) or len(entry) != 2:
            continue
        at, count = entry
        counted = isinstance(count, int) and not isinstance(count, bool) and count > 0
        if counted and isinstance(at, (int, float)) and now - window < at <= now + 1:
            recent.append(entry)
    recent.sort(key=lambda entry: entry[0])
    return recent


def _room_at(sent, per_minute):
    """The send time whose leaving the window makes room for one more request."""
    left = sum(count for _at, count in sent)
    for at, count in sent:
        left -= count
        if left < per_minute:
            return at
    return sent[-1][0]


class RequestBudget:
    """At most ``per_minute`` request starts in any sliding window, ``concurrent`` in flight, per server.

    ``request(deadline)`` is a context manager around one HTTP request. ``hold(seconds)``
    makes every process wait (after a 429). ``clock`` must be comparable across
    processes (time.monotonic is, on one host); ``wait(seconds)`` sleeps and may
    return early (it is given a stop event's wait in the action plugin). ``warn`` is told
    once when the shared files cannot be used and this process goes on with a budget of its own.
    ``slot_patience`` is how long a concurrent-request slot is waited for before the slots are taken
    as held by a stuck process (a slot is held for one request at most).
    """

    def __init__(self, server, per_minute, concurrent, directory=None, clock=time.monotonic, wait=time.sleep,
                 window=WINDOW_SECONDS + DELAY_MARGIN, warn=None, slot_patience=LOCK_PATIENCE):
        self.per_minute = int(per_minute)
        self.concurrent = int(concurrent)
        self.window = float(window)
        self._clock = clock
        self._wait = wait
        self._warn = warn
        self._slot_patience = slot_patience
        self._directory = directory or private_directory()
        key = hashlib.sha256(server.encode('utf-8')).hexdigest()[:32]
        self._state_path = os.path.join(self._directory, '%s.rate' % key)
        self._lock_path = os.path.join(self._directory, '%s.lock' % key)
        self._slot_paths = [os.path.join(self._directory, '%s.slot%d' % (key, index)) for index in range(self.concurrent)]
        self._thread_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(self.concurrent)
        self._own_state = None  # the budget of this process alone, once the shared files cannot be used
        self._repaired = False

    def _time_left(self, deadline):
        return None if deadline is None else deadline - self._clock()

    def _give_up(self, what):
        """Raise the error that says what the deadline came before."""
        raise CdfmcRequestError('the deadline came before %s' % what)

    def _sleep_at_most(self, seconds, deadline):
        """Sleep ``seconds``, at most half a second and not past the deadline; False when there is no time left or
        the run is stopping."""
        left = self._time_left(deadline)
        if left is not None and left <= 0:
            return False
        seconds = min(seconds, _MAX_NAP) if left is None else min(seconds, _MAX_NAP, left)
        # A stop event's wait returns True once the run is interrupted: give up rather than spin.
        return self._wait(max(seconds, 0.0)) is not True

    def _go_alone(self, problem):
        """From now on, a budget of this process alone (called with the thread lock held)."""
        if self._own_state is None:
            self._own_state = {}
            if self._warn is not None:
                self._warn('cisco.cdfmc: the request budget shared with other processes in %s cannot be used (%s); '
                           'this process goes on with a budget of its own. If this lasts, look for a stopped process '
                           'of this user, or remove what is not a regular private file there' % (self._directory, problem))

    @contextlib.contextmanager
    def request(self, deadline=None):
        """Wait for a free slot and a free place in the window, then hold the slot for one request.

        A slot is never held while waiting for the window, so a slot is held for one request at most.
        """
        while not self._slots.acquire(timeout=_RECHECK):
            if not self._sleep_at_most(0, deadline):
                self._give_up('a concurrent request slot was free')
        try:
            while True:
                slot = self._take_slot(deadline)
                try:
                    pause, cause = self._take_send_time(deadline)
                    if pause is None:
                        yield
                        return
                finally:
                    if slot is not None:
                        os.close(slot)  # closing drops the flock
                if not self._sleep_at_most(max(pause, 0.001), deadline):
                    self._give_up(cause)
        finally:
            self._slots.release()

    def _take_slot(self, deadline):
        """A descriptor holding one of the shared slot files, or None with a budget of this process alone."""
        give_up = self._clock() + self._slot_patience
        while self._own_state is None:
            for path in self._slot_paths:
                try:
                    descriptor = open_private(path, os.O_RDWR, create=True)
                except (OSError, SharedFileUnavailable) as exc:
                    with self._thread_lock:
                        self._go_alone(str(exc) if isinstance(exc, SharedFileUnavailable)
                                       else 'cannot open %s: %s' % (path, exc.strerror))
                    return None
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    os.close(descriptor)
                    continue
                return descriptor
            if self._clock() >= give_up:
                with self._thread_lock:
                    self._go_alone('every concurrent request slot stayed locked for %.0f s' % self._slot_patience)
                return None
            if not self._sleep_at_most(_RECHECK, deadline):
                self._give_up('a concurrent request slot was free (max_concurrent_requests)')
        return None

    def _update(self, deadline, change):
        """Apply ``change(state)`` to the shared state under its lock (read, changed, written whole), or to this
        process's own state once the shared files cannot be used; return what it returns."""
        with self._thread_lock:
            if self._own_state is None:
                try:
                    with locked(self._lock_path, deadline, self._clock, self._wait):
                        state, problem = read_state(self._state_path)
                        state = state or {}
                        result = change(state)
                        self._write(state, problem)
                        return result
                except SharedFileUnavailable as exc:
                    if deadline is not None and self._clock() >= deadline:
                        self._give_up('the request budget\'s lock was free (%s)' % exc)
                    self._go_alone(str(exc))
            return change(self._own_state)

    def _write(self, state, problem):
        write_state(self._state_path, json.dumps(state))
        if problem and not self._repaired:
            self._repaired = True
            if self._warn is not None:
                self._warn('cisco.cdfmc: the request budget state was damaged and has been replaced (%s)' % problem)

    def _take_send_time(self, deadline):
        """(None, None) once a place in the window is taken; else (seconds to wait, what for)."""
        def take(state):
            now = self._clock()
            sent = _recent(state.get('sent'), now, self.window)
            hold_until = state.get('hold_until') or 0
            if not isinstance(hold_until, (int, float)):
                hold_until = 0
            # Never hold off longer than the collection itself ever asks, whatever the file says.
            hold_until = min(hold_until, now + RETRY_AFTER_CAP)
            state['hold_until'] = hold_until
            state['sent'] = sent
            if hold_until > now:
                return hold_until - now, 'the end of the hold-off the server asked for (HTTP 429)'
            if sum(count for _at, count in sent) >= self.per_minute:
                return _room_at(sent, self.per_minute) + self.window - now, \
                    'the request budget had room (max_requests_per_minute)'
            if sent and int(sent[-1][0] // BUCKET_SECONDS) == int(now // BUCKET_SECONDS):
                sent[-1] = [now, sent[-1][1] + 1]
            else:
                sent.append([now, 1])
            return None, None
        return self._update(deadline, take)

    def hold(self, seconds, deadline=None):
        """Make every process sharing this budget wait ``seconds`` (at most 120) before its next request."""
        def hold_off(state):
            until = self._clock() + min(max(0.0, float(seconds)), RETRY_AFTER_CAP)
            current = state.get('hold_until')
            state['hold_until'] = max(until, current if isinstance(current, (int, float)) else 0)
        self._update(deadline, hold_off)
