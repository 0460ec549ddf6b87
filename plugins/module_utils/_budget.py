# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A request budget per server (FMC allows about 120 requests a minute and 10 connections per source address):
a smooth pace, turns in the order they were asked for, a cap in flight. No secret is stored.

The pace is GCRA: one theoretical arrival time (``tat``). ``reserve`` gives a request the next start and moves
``tat`` one interval on; the request sleeps until then outside any lock, so the order of reservations is the order
of turns. A small burst starts at once, then one per interval: no 61 s (60 and a margin for network delay) holds
more than ``per_minute`` starts. A 429 pushes ``tat`` on by its Retry-After (at most 120 s). In flight: slots, each
free once its bound has passed (a stopped holder) or its holder is dead; a start that finds none free is given up.
The state is kept in a store that makes each operation atomic (by default FileStore: a file per server shared by
this user's processes). A store reads its own clock and speaks in seconds from then: ``reserve(deadline, interval,
tolerance, reach) -> (wait, held)``: the wait for the next start, reserved when it is no more than ``reach``, and
whether a 429 holds it off; ``hold(deadline, seconds, tolerance)``; ``take_slot(deadline, seconds, cap) -> slot or
None``; ``free_slot(deadline, slot)``; ``load() -> recent starts``. ``deadline`` bounds the wait for the store itself.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import hashlib
import itertools
import math
import os

from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import SYSTEM_CLOCK, Deadline
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcRequestError
from ansible_collections.cisco.cdfmc.plugins.module_utils._retry import RETRY_AFTER_CAP
from ansible_collections.cisco.cdfmc.plugins.module_utils._statefile import SharedState, finite, private_directory, process_alive

WINDOW = 60.0 + 1.0  # a request counts a little longer than the window: the server sees it after network delay
AHEAD = RETRY_AFTER_CAP  # no hold, nor line of reservations, reaches further ahead: what does is damage
FLIGHT_SLACK = 5.0  # a slot outlives its request's own bound by this much (a holder stopped mid-request)
FLIGHT_RECHECK = 0.25  # how soon a request that found every slot taken asks again
RATE_SPAN = 30.0  # the recent rate: starts counted with a weight that decays over this many seconds
TURN = 'its turn in the request budget (max_requests_per_minute)'
HOLD_OFF = 'the end of the hold-off the server asked for (HTTP 429)'
IN_FLIGHT = 'a request in flight to end (max_concurrent_requests)'


def server_key(server):
    """The name of ``server`` in a store: a hash, so that nothing of the URL is stored."""
    return hashlib.sha256(server.encode('utf-8')).hexdigest()[:32]


def _decayed(rate, now):
    """A [count, when] of starts as it stands ``now`` (decaying over RATE_SPAN); 0 for anything else."""
    count, when = rate if isinstance(rate, list) and len(rate) == 2 else (0.0, now)
    return min(max(0.0, finite(count, 0.0)), 1e6) * math.exp(-max(0.0, now - finite(when, now)) / RATE_SPAN)


class RequestBudget:
    """The budget of ``settings``' server (ConnectionSettings; ``request_timeout`` bounds a slot), kept in ``store``: by
    default a FileStore in ``directory`` on ``clock``'s monotonic time, telling ``warn`` when it cannot be used."""

    def __init__(self, settings, directory=None, clock=None, warn=None, window=WINDOW, store=None):
        self.per_minute = int(settings.max_requests_per_minute)
        self.concurrent = int(settings.max_concurrent_requests)
        self.burst = max(1, self.per_minute // 20)
        # burst + floor(window / interval) requests at most in any window: per_minute.
        self.interval = window / (self.per_minute - self.burst) if self.per_minute > self.burst else window * 1.01
        self._tolerance = (self.burst - 1) * self.interval
        self.clock = clock or SYSTEM_CLOCK
        self._request_timeout = settings.request_timeout
        self.store = store or FileStore(directory or private_directory(), server_key(settings.server), self.clock, warn)

    def load(self):
        """This host's recent request rate to the server, as a share of ``per_minute`` (1.0: the whole budget)."""
        return self.store.load() * (60.0 / RATE_SPAN) / self.per_minute

    @contextlib.contextmanager
    def request(self, deadline=None):
        """Wait for this request's turn in the pace and a slot in flight, and hold the slot for the request."""
        deadline = deadline or Deadline(clock=self.clock)
        slot = self._turn(deadline)
        try:
            yield
        finally:
            self.store.free_slot(deadline.unbounded(), slot)

    def hold(self, seconds, deadline=None):
        """Make every process sharing this budget wait ``seconds`` before its next request (after a 429)."""
        seconds = min(max(0.0, float(seconds)), RETRY_AFTER_CAP)
        self.store.hold(deadline or Deadline(clock=self.clock), seconds, self._tolerance)

    def _turn(self, deadline):
        """Reserve a start, sleep until it, take a slot (or reserve another start)."""
        while True:
            self._reserve(deadline)
            seconds = deadline.cap(self._request_timeout) + FLIGHT_SLACK
            slot = self.store.take_slot(deadline, seconds, self.concurrent)
            if slot is not None:
                return slot
            self._sleep(deadline, FLIGHT_RECHECK, IN_FLIGHT)

    def _reserve(self, deadline):
        """Reserve a start and sleep until it; while the line reaches too far ahead, wait for it to be shorter."""
        reach = AHEAD - self.interval  # so that the pace itself never reaches more than AHEAD on
        while True:
            limit = min(reach, deadline.left())  # what the store reserves within is what this waits for
            wait, held = self.store.reserve(deadline, self.interval, self._tolerance, limit)
            cause = HOLD_OFF if held else TURN
            if wait <= limit:
                return self._sleep(deadline, wait, cause)
            self._sleep(deadline, max(wait - reach, 0.001), cause, wait)  # at least a step of a fake clock

    @staticmethod
    def _sleep(deadline, seconds, cause, needed=None):
        """Sleep ``seconds``; a deadline before ``needed`` seconds (``seconds``), or a stop, ends the wait at once."""
        if (seconds if needed is None else needed) >= deadline.left():
            raise CdfmcRequestError('the deadline came before %s' % cause)
        if deadline.sleep(seconds):
            raise CdfmcRequestError('interrupted while waiting for %s' % cause)


class FileStore:
    """The budget's state in a SharedState file, on ``clock``'s monotonic time: ``tat``; ``held``: until when a 429
    holds every request off; ``rate``: [starts decaying over RATE_SPAN, when]; ``slots``: {token: [pid, bound]}."""

    def __init__(self, directory, key, clock, warn=None, alive=process_alive):
        self._shared = SharedState(os.path.join(directory, '%s.pace' % key), warn, 'the request budget',
                                   'goes on with a budget of its own')
        self._clock, self._alive = clock.monotonic, alive
        self._tokens, self._rate = itertools.count(), None  # the recent starts as last seen: [count, when]

    def reserve(self, deadline, interval, tolerance, reach):
        def change(state, now):
            tat = min(finite(state.get('tat'), now), now + tolerance + AHEAD)
            wait = max(0.0, tat - tolerance - now)
            count = _decayed(state.get('rate'), now)
            if wait <= reach:
                tat, count = max(tat, now) + interval, count + 1
            self._rate = state['rate'] = [count, now]
            state['tat'] = tat
            return wait, finite(state.get('held'), now) > now
        return self._apply(deadline, change)

    def hold(self, deadline, seconds, tolerance):
        """Hold every request off for ``seconds``; after it, the pace goes on without a burst."""
        def change(state, now):
            state.update(held=now + seconds, tat=max(finite(state.get('tat'), now), now + seconds + tolerance))
        self._apply(deadline, change)

    def take_slot(self, deadline, seconds, cap):
        def change(state, now):
            slots = self._slots(state, now)
            if len(slots) >= cap:
                return None
            token = '%d-%d' % (os.getpid(), next(self._tokens))
            slots[token] = [os.getpid(), now + seconds]
            return token
        return self._apply(deadline, change)

    def free_slot(self, deadline, slot):
        self._apply(deadline, lambda state, now: self._slots(state, now).pop(slot, None))

    def load(self):
        """The recent starts as this process last saw them."""
        return _decayed(self._rate, self._clock())

    def _slots(self, state, now):
        """The slots of ``state`` still held (their bound to come, their holder alive), put back into it."""
        found = state.get('slots') if isinstance(state.get('slots'), dict) else {}
        state['slots'] = dict((token, entry) for token, entry in found.items() if self._held(entry, now))
        return state['slots']

    def _held(self, entry, now):
        pid = int(finite(entry[0], 0)) if isinstance(entry, list) and len(entry) == 2 else 0
        return 0 < pid < 2 ** 31 and finite(entry[1], now) > now and (pid == os.getpid() or self._alive(pid))

    def _apply(self, deadline, change):
        """``change(state, now)`` under the file's lock, ``now`` read once the lock is held; what it returns."""
        return self._shared.apply(deadline, lambda state: change(state, self._clock()))
