# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A bound on a whole response: a watchdog shuts a response's socket when request_timeout is over.

requests' timeout bounds each read from the socket, not the whole answer: headers or a body that trickle in
one byte at a time are never cut by it, since one read loops over many of them. A watchdog per request, fired
by one thread per process (a timer thread per request cost more CPU than the request itself on a wait of
hundreds of tasks), shuts the socket down when the time is up. The connection a request uses is handed to the
watchdog of the thread's current request (``watching``) before its headers are read.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It starts one daemon thread per process, on first use.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import heapq
import itertools
import os
import socket
import threading

from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import SYSTEM_CLOCK


class Watchdogs:
    """One thread that fires the watchdogs of this process when they are due.

    A timer thread per request cost more CPU than the request itself on a wait of hundreds of
    tasks. The thread starts on first use, and again after a fork (threads do not survive one,
    and a lock held at that moment would never be released in the child).
    """

    def __init__(self, clock=SYSTEM_CLOCK):
        self._clock = clock.monotonic
        self._reset()
        if hasattr(os, 'register_at_fork'):
            os.register_at_fork(after_in_child=self._reset)

    def _reset(self):
        self._condition = threading.Condition()
        self._due = []
        self._order = itertools.count()
        self._thread = None

    def add(self, watchdog, seconds):
        with self._condition:
            if self._thread is None or not self._thread.is_alive():
                thread = threading.Thread(target=self._run, name='cdfmc-watchdog')
                thread.daemon = True
                thread.start()
                self._thread = thread
            heapq.heappush(self._due, (self._clock() + max(seconds, 0.0), next(self._order), watchdog))
            self._condition.notify()

    def _run(self):
        while True:
            with self._condition:
                while self._due and self._due[0][2].cancelled:
                    heapq.heappop(self._due)
                if not self._due:
                    self._condition.wait()
                    continue
                left = self._due[0][0] - self._clock()
                if left > 0:
                    self._condition.wait(left)
                    continue
                watchdog = heapq.heappop(self._due)[2]
            try:
                watchdog.fire()
            except Exception:  # pylint: disable=broad-except
                pass  # one watchdog that could not act must not leave the others unwatched


WATCHDOGS = Watchdogs()


class Watchdog:
    """Ends a response that is still arriving when request_timeout is over (trickling headers or body).

    requests' timeout bounds each read, not the whole answer; shutting the socket
    down when the time is up bounds it all. What it watches is a requests response
    or the connection (with its ``sock``) the response arrives on.
    """

    def __init__(self, seconds, timers=WATCHDOGS):
        self.fired = False
        self.cut = False
        self.headers_cut = False  # cut before the status line and headers were all in
        self.cancelled = False
        self._response = None
        self._lock = threading.Lock()
        timers.add(self, seconds)

    def watch(self, response):
        with self._lock:
            if self.cancelled:
                return
            self._response = response
            fired = self.fired
        if fired:
            self._shut(response)

    def fire(self):
        with self._lock:
            if self.cancelled:
                return
            self.fired = True
            response = self._response
        if response is not None:
            self._shut(response)

    def _shut(self, response):
        if not self.cut:
            self.cut = True
            self.headers_cut = not hasattr(response, 'raw')
        raw = getattr(response, 'raw', None)
        connection = getattr(raw, 'connection', None) or getattr(raw, '_connection', None) or response
        sock = getattr(connection, 'sock', None)
        try:
            if sock is not None:
                sock.shutdown(socket.SHUT_RDWR)
            elif hasattr(response, 'raw'):
                response.close()
        except OSError:
            pass

    def cancel(self):
        with self._lock:
            self.cancelled = True
            self._response = None  # the timers keep a cancelled watchdog until its time; not the response


_CURRENT = threading.local()


@contextlib.contextmanager
def watching(watchdog):
    """Within this block, the connection this thread's request uses is watched by ``watchdog``; cancelled after."""
    _CURRENT.watchdog = watchdog
    try:
        yield watchdog
    finally:
        _CURRENT.watchdog = None
        watchdog.cancel()


def watch_connection(connection):
    """Hand ``connection`` (it has a ``sock``) to the watchdog of this thread's current request, if any."""
    watchdog = getattr(_CURRENT, 'watchdog', None)
    if watchdog is not None:
        watchdog.watch(connection)
