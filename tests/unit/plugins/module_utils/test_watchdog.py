# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The watchdogs that bound a whole response (their use by the transport: test_client.py, the trickle test)."""

import os
import time

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils import _watchdog


def test_watchdogs_fire_when_due_and_not_once_cancelled(clock):
    # A clock the test moves: what is due is decided by it, not by how fast the thread runs.
    timers = _watchdog.Watchdogs(clock=clock)
    cancelled = _watchdog.Watchdog(5, timers)
    cancelled.cancel()
    later = _watchdog.Watchdog(3600, timers)
    clock.advance(100.0)
    due = _watchdog.Watchdog(0, timers)  # adding it wakes the thread, which now finds two due
    deadline = time.monotonic() + 30
    while not due.fired and time.monotonic() < deadline:
        time.sleep(0.01)
    assert due.fired
    assert not cancelled.fired and not later.fired


def test_a_watchdog_that_fails_leaves_the_others_working():
    class Broken(_watchdog.Watchdog):
        def fire(self):
            raise RuntimeError('cannot act')

    timers = _watchdog.Watchdogs()
    Broken(0, timers)
    after = _watchdog.Watchdog(0, timers)
    deadline = time.monotonic() + 30
    while not after.fired and time.monotonic() < deadline:
        time.sleep(0.01)
    assert after.fired


@pytest.mark.filterwarnings('ignore:This process .* is multi-threaded:DeprecationWarning')
def test_watchdogs_work_in_a_forked_child():
    # ansible-playbook forks its workers while a lookup in its own process may have used the client.
    timers = _watchdog.Watchdogs()
    _watchdog.Watchdog(3600, timers)  # the parent's watchdog thread runs (and may hold its lock at the fork)
    pid = os.fork()
    if pid == 0:
        code = 2
        try:
            watchdog = _watchdog.Watchdog(0, timers)
            deadline = time.monotonic() + 20
            while not watchdog.fired and time.monotonic() < deadline:
                time.sleep(0.01)
            code = 0 if watchdog.fired else 1
        finally:
            os._exit(code)
    _pid, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
