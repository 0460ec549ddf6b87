# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A request budget per server, shared by every process of this user on this host.

FMC limits clients per source address (about 120 requests a minute, 10
connections), so the forks of one ansible-playbook run must share one budget:
small files under a private per-user temp directory, locked with flock, hold
the send times of the last minute (grouped per quarter second), a hold-off time after a 429, and one lock
file per concurrent-request slot. No secret is in a file name or content.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import stat
import tempfile
import threading
import time

from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcRequestError

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


def budget_directory():
    """The private per-user directory for budget files (created 0700; refused if not private)."""
    directory = os.path.join(tempfile.gettempdir(), 'cisco.cdfmc-%d' % os.getuid())
    try:
        os.mkdir(directory, 0o700)
    except OSError as exc:
        if exc.errno != errno.EEXIST:
            raise CdfmcRequestError('cannot create the request budget directory %s: %s' % (directory, exc.strerror))
    info = os.lstat(directory)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise CdfmcRequestError(
            'the request budget directory %s is not a private directory of this user; remove it and run again'
            % directory)
    return directory


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


def _open_private(path):
    return os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, 'O_NOFOLLOW', 0), 0o600)


class RequestBudget:
    """At most ``per_minute`` request starts in any sliding window, ``concurrent`` in flight, per server.

    ``request(deadline)`` is a context manager around one HTTP request. ``hold(seconds)``
    makes every process wait (after a 429). ``clock`` must be comparable across
    processes (time.monotonic is, on one host); ``wait(seconds)`` sleeps and may
    return early (it is given a stop event's wait in the action plugin).
    """

    def __init__(self, server, per_minute, concurrent, directory=None, clock=time.monotonic, wait=time.sleep,
                 window=WINDOW_SECONDS + DELAY_MARGIN):
        self.per_minute = int(per_minute)
        self.concurrent = int(concurrent)
        self.window = float(window)
        self._clock = clock
        self._wait = wait
        directory = directory or budget_directory()
        key = hashlib.sha256(server.encode('utf-8')).hexdigest()[:32]
        self._state_path = os.path.join(directory, '%s.rate' % key)
        self._lock_path = os.path.join(directory, '%s.lock' % key)
        self._slot_paths = [os.path.join(directory, '%s.slot%d' % (key, index)) for index in range(self.concurrent)]
        self._thread_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(self.concurrent)

    def _time_left(self, deadline):
        return None if deadline is None else deadline - self._clock()

    def _give_up(self, what):
        raise CdfmcRequestError('the deadline came before %s' % what)

    def _nap(self, seconds, deadline):
        left = self._time_left(deadline)
        if left is not None and left <= 0:
            return False
        seconds = min(seconds, _MAX_NAP) if left is None else min(seconds, _MAX_NAP, left)
        # A stop event's wait returns True once the run is interrupted: give up rather than spin.
        return self._wait(max(seconds, 0.0)) is not True

    @contextlib.contextmanager
    def request(self, deadline=None):
        """Wait for a free slot and a free place in the window, then hold the slot for one request."""
        while not self._slots.acquire(timeout=_RECHECK):
            if not self._nap(0, deadline):
                self._give_up('a concurrent request slot was free')
        try:
            slot = self._take_slot(deadline)
            try:
                self._take_place(deadline)
                yield
            finally:
                os.close(slot)  # closing drops the flock
        finally:
            self._slots.release()

    def _take_slot(self, deadline):
        while True:
            for path in self._slot_paths:
                descriptor = _open_private(path)
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    os.close(descriptor)
                    continue
                return descriptor
            if not self._nap(_RECHECK, deadline):
                self._give_up('a concurrent request slot was free (max_concurrent_requests)')

    @contextlib.contextmanager
    def _locked_state(self):
        """Read, change and write the shared state under the lock; written whole (a kill leaves the old file)."""
        with self._thread_lock:
            lock = _open_private(self._lock_path)
            try:
                fcntl.flock(lock, fcntl.LOCK_EX)
                try:
                    with open(self._state_path, 'r') as handle:
                        state = json.loads(handle.read() or '{}')
                except (OSError, ValueError):
                    state = {}
                if not isinstance(state, dict):
                    state = {}
                yield state
                temporary = '%s.%d.tmp' % (self._state_path, os.getpid())
                descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, 'O_NOFOLLOW', 0), 0o600)
                with os.fdopen(descriptor, 'w') as handle:
                    handle.write(json.dumps(state))
                os.replace(temporary, self._state_path)
            finally:
                os.close(lock)

    def _take_place(self, deadline):
        while True:
            with self._locked_state() as state:
                now = self._clock()
                sent = _recent(state.get('sent'), now, self.window)
                hold_until = state.get('hold_until') or 0
                if not isinstance(hold_until, (int, float)) or hold_until > now + 3600:
                    hold_until = 0
                if hold_until > now:
                    pause, cause = hold_until - now, 'the end of the hold-off the server asked for (HTTP 429)'
                elif sum(count for _at, count in sent) >= self.per_minute:
                    pause = _room_at(sent, self.per_minute) + self.window - now
                    cause = 'the request budget had room (max_requests_per_minute)'
                else:
                    if sent and int(sent[-1][0] // BUCKET_SECONDS) == int(now // BUCKET_SECONDS):
                        sent[-1] = [now, sent[-1][1] + 1]
                    else:
                        sent.append([now, 1])
                    state['sent'] = sent
                    state['hold_until'] = hold_until
                    return
                state['sent'] = sent
            if not self._nap(max(pause, 0.001), deadline):
                self._give_up(cause)

    def hold(self, seconds):
        """Make every process sharing this budget wait ``seconds`` before its next request."""
        with self._locked_state() as state:
            until = self._clock() + max(0.0, float(seconds))
            current = state.get('hold_until')
            state['hold_until'] = max(until, current if isinstance(current, (int, float)) else 0)
