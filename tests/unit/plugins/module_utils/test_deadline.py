# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one deadline: time left, timeouts capped, sleeps that end at the deadline or at a stop."""

import threading
import time

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import SYSTEM_CLOCK, Deadline


def test_time_left_and_timeouts_never_outlive_the_deadline(clock):
    deadline = clock.deadline(10)
    assert deadline.left() == 10 and deadline.cap(30) == 10 and deadline.cap(4) == 4 and not deadline.expired
    clock.advance(7.5)
    assert deadline.left() == 2.5 and deadline.cap(30) == 2.5 and deadline.elapsed() == 7.5
    clock.advance(5)
    assert deadline.left() == 0 and deadline.cap(30) == 0 and deadline.expired


def test_a_sleep_is_the_lesser_of_the_pause_and_the_time_left(clock):
    deadline = clock.deadline(3)
    assert deadline.sleep(2) is False and deadline.sleep(2) is False and deadline.sleep(2) is False
    assert clock.sleeps == [2, 1, 0] and deadline.expired


def test_a_stopped_run_does_not_sleep(clock):
    stop = threading.Event()
    deadline = clock.deadline(60, stop=stop)
    stop.set()
    assert deadline.stopping and deadline.sleep(5) is True and clock.sleeps == []


def test_without_a_bound_only_the_stop_ends_it(clock):
    deadline = clock.deadline()
    clock.advance(10 ** 9)
    assert not deadline.expired and deadline.cap(30) == 30 and deadline.sleep(1) is False


def test_deadlines_made_from_another_share_its_clock_stop_and_start(clock):
    task = clock.deadline()
    clock.advance(4)
    bounded = task.from_start(10)
    assert bounded.left() == 6 and bounded.stop is task.stop and bounded.clock is clock
    assert bounded.within(2).left() == 2 and bounded.within(20).left() == 6
    assert bounded.extended(30).left() == 36 and bounded.unbounded().left() == float('inf')
    assert task.from_start(0).at_least(30).left() == 26 and bounded.at_least(1).left() == 6
    restarted = bounded.restarted()
    assert restarted.left() == 6 and restarted.elapsed() == 0 and bounded.elapsed() == 4


def test_the_system_clock_sleeps_until_the_stop():
    stop = threading.Event()
    threading.Timer(0.1, stop.set).start()
    started = time.monotonic()
    assert Deadline(30, stop=stop).sleep(10) is True and time.monotonic() - started < 5
    assert Deadline(0.05).sleep(10) is False
    assert SYSTEM_CLOCK.now() == pytest.approx(time.time(), abs=5)
