# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Time, in one place: the clocks, and the one deadline of an entry point with its stop signal.

A ``Deadline`` is when the work of an entry point must end, on a monotonic clock, with the run's stop signal (an
Event set when the run is interrupted). Every request timeout is ``cap()``-ped by it, every pause is its
``sleep()`` (the lesser of the pause and the time left, cut short by a stop), and nothing else sleeps. The wall
clock (what FMC and other processes date: versions, job times, Retry-After dates, the age of a login) is read
through ``Clock.now()`` only. Tests give both a fake clock.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It does no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time


class Clock:
    """The system's clocks: ``monotonic()`` seconds for deadlines, ``now()`` the wall clock (POSIX seconds), and
    ``sleep(seconds, stop)``, which ends at once, returning True, when ``stop`` (an Event) is set."""

    def monotonic(self):
        return time.monotonic()

    def now(self):
        return time.time()

    def sleep(self, seconds, stop):
        return stop.wait(max(0.0, seconds))


SYSTEM_CLOCK = Clock()


class Deadline:
    """When the work must end (``seconds`` from now; None: no bound but the stop), on ``clock``, and ``stop``: the
    Event that says the run is stopping (a new one when not given)."""

    def __init__(self, seconds=None, clock=None, stop=None):
        self.clock = clock or SYSTEM_CLOCK
        self.stop = stop if stop is not None else threading.Event()
        self.started = self.clock.monotonic()
        self.at = float('inf') if seconds is None else self.started + seconds

    def _moved(self, at, started=None):
        """The same clock, stop and start (or ``started``), ending at ``at``."""
        other = Deadline.__new__(Deadline)
        other.clock, other.stop = self.clock, self.stop
        other.started = self.started if started is None else started
        other.at = at
        return other

    def __repr__(self):
        return '<Deadline %.3f s left%s>' % (self.left(), ', stopping' if self.stopping else '')

    def left(self):
        """Seconds left (0 once expired; infinite without a bound)."""
        return max(0.0, self.at - self.clock.monotonic())

    @property
    def expired(self):
        return self.clock.monotonic() >= self.at

    @property
    def stopping(self):
        """True once the run is stopping (interrupted)."""
        return self.stop.is_set()

    def cap(self, timeout):
        """A timeout that never outlives the deadline."""
        return min(timeout, self.left())

    def sleep(self, seconds):
        """Sleep ``seconds``, or what is left when that is less; True once the run is stopping."""
        return self.clock.sleep(self.cap(max(0.0, seconds)), self.stop)

    def pause(self, seconds):
        """Sleep ``seconds`` between two tries of a loop, not past the deadline; True when the loop must end
        instead: the deadline came (before or during the pause) or the run is stopping."""
        return self.expired or self.sleep(seconds) or self.expired

    def elapsed(self):
        """Seconds since the deadline was set (its start, for the deadlines made from it)."""
        return self.clock.monotonic() - self.started

    def from_start(self, seconds):
        """The deadline ``seconds`` after this one's start (an entry point's timeout, once its options are read)."""
        return self._moved(self.started + seconds)

    def within(self, seconds):
        """The sooner of this deadline and ``seconds`` from now."""
        return self._moved(min(self.at, self.clock.monotonic() + seconds))

    def at_least(self, seconds):
        """This deadline, or ``seconds`` after its start when that is later."""
        return self._moved(max(self.at, self.started + seconds))

    def restarted(self):
        """This deadline, counted from now (what is left of it becomes the whole of it)."""
        return self._moved(self.at, started=self.clock.monotonic())

    def extended(self, seconds):
        """This deadline, ``seconds`` later."""
        return self._moved(self.at + seconds)

    def unbounded(self):
        """No bound, but the same clock and stop."""
        return self._moved(float('inf'))
