# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Retry rules: which failures are retried, how long to wait before the next try, and how long one call lasts.

What follows from each kind of failure is one table (``AFTER_FAILURE``) and the HTTP statuses below it: the
client's retries and the wait's "poll this task again later" both read it.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It does no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import math
import random

from email.utils import parsedate_to_datetime

from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import (
    BAD_ANSWER,
    HTTP_ERROR,
    INVALID,
    MISSING_LIBRARY,
    NO_ANSWER,
    REFUSED,
    UNTRUSTED,
)

RETRYABLE_GET_STATUSES = frozenset((429, 500, 502, 503, 504))
RETRYABLE_POST_STATUSES = frozenset((429,))
# Not retried at once, but a wait polls the task again later.
POLL_AGAIN_STATUSES = RETRYABLE_GET_STATUSES | frozenset((408,))
# A gateway that answers these lost the server's answer, not the request: it may have arrived.
GATEWAY_STATUSES = frozenset((502, 504))
# FMC sometimes answers a GET with 400 and one of these in its message when it is busy; Cisco's own
# client (go-fmc) retries them as it does a 503.
RETRYABLE_400_TEXTS = ('please try again', 'retry the operation after sometime')

# What follows a failure of each kind: a GET is retried at once, a POST is retried at once, a wait polls the task
# again later. HTTP answers (HTTP_ERROR) are decided by their status, with the sets above.
AfterFailure = collections.namedtuple('AfterFailure', 'get_retried post_retried polled_again')
NOTHING_FOLLOWS = AfterFailure(get_retried=False, post_retried=False, polled_again=False)
AFTER_FAILURE = {
    INVALID: NOTHING_FOLLOWS,          # refused before any request: nothing will change
    MISSING_LIBRARY: NOTHING_FOLLOWS,  # nothing will change either
    UNTRUSTED: NOTHING_FOLLOWS,        # the server's certificate cannot be verified
    # The connection was refused: nothing reached the server.
    REFUSED: AfterFailure(get_retried=True, post_retried=True, polled_again=True),
    # A timeout, a reset, a cut answer: a POST may have arrived.
    NO_ANSWER: AfterFailure(get_retried=True, post_retried=False, polled_again=True),
    # A 2xx that cannot be used (a proxy's page): may be right next time.
    BAD_ANSWER: AfterFailure(get_retried=False, post_retried=False, polled_again=True),
}

BACKOFF_BASE = 1.0
BACKOFF_CAP = 30.0
RETRY_AFTER_CAP = 120.0


def backoff_delays(base=BACKOFF_BASE, cap=BACKOFF_CAP, rand=random.random):
    """Yield endless delays: exponential from base, capped, with jitter over the upper half.

    Jitter spreads clients that failed together; keeping the lower half avoids
    retrying at once.
    """
    attempt = 0
    while True:
        ceiling = min(cap, base * (2 ** attempt))
        yield ceiling / 2 + rand() * ceiling / 2
        if ceiling < cap:
            attempt += 1


class Retries:
    """The retries of one request: how many are ``left``, how many are ``done``, and the delay before the next
    (``delays``: backoff_delays() unless given)."""

    def __init__(self, count, delays=None):
        self.left, self.done = count, 0
        self._delays = delays or backoff_delays()

    def next_delay(self):
        return next(self._delays)

    def spend(self):
        self.left, self.done = self.left - 1, self.done + 1


def retries_bound(done, retries, request_timeout, base=BACKOFF_BASE, cap=BACKOFF_CAP):
    """The most seconds ``retries`` more attempts may take after ``done`` retries: each attempt's request_timeout
    and the longest backoff before it (no Retry-After: a server that never answered sends none)."""
    return sum(min(cap, base * 2 ** attempt) + request_timeout for attempt in range(done, done + retries))


def parse_retry_after(value, now, cap=RETRY_AFTER_CAP):
    """Return the delay in seconds that a Retry-After header asks for, capped, or None.

    ``value`` is delta-seconds or an HTTP date; ``now`` is the current POSIX time,
    to which an HTTP date is compared.
    """
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            return None
        seconds = when.timestamp() - now
    if math.isnan(seconds):
        return None
    return max(0.0, min(cap, seconds))


def call_bound(max_retries, request_timeout, retry_after_cap=RETRY_AFTER_CAP):
    """The most seconds one call (a read of the module or the lookup) may take: every attempt's
    request_timeout, plus the longest wait allowed between two attempts (Retry-After is capped)."""
    return (max_retries + 1) * request_timeout + max_retries * retry_after_cap


def is_retryable_status(method, status, text=''):
    """True when an HTTP answer (its status and the server's message ``text``) of this method is worth
    another try at once."""
    if method.upper() == 'GET':
        if status == 400:
            text = (text or '').lower()
            return any(phrase in text for phrase in RETRYABLE_400_TEXTS)
        return status in RETRYABLE_GET_STATUSES
    return status in RETRYABLE_POST_STATUSES


def may_have_arrived(error):
    """True when the request that failed with ``error`` (a CdfmcRequestError) may have reached the server and taken
    effect: it was sent, and no usable answer came back (none, one that cannot be read, a gateway's)."""
    if not getattr(error, 'sent', False):
        return False
    return error.kind in (NO_ANSWER, BAD_ANSWER) or (error.kind == HTTP_ERROR and error.status in GATEWAY_STATUSES)


def retried_at_once(error, method):
    """True when the request that failed with ``error`` (a CdfmcError) is worth another try at once."""
    if error.kind == HTTP_ERROR:
        return is_retryable_status(method, error.status, error.detail)
    after = AFTER_FAILURE.get(error.kind, NOTHING_FOLLOWS)
    return after.get_retried if method.upper() == 'GET' else after.post_retried


def polled_again(error):
    """True when a task whose poll failed with ``error`` is worth polling again at its next turn; False when a
    retry cannot help (bad input, an untrusted server, an answer that will not change, an unexpected error)."""
    kind = getattr(error, 'kind', None)
    if getattr(error, 'never_answered', False):
        return False  # a server that has not answered once in this run: a wrong address, not an outage
    if kind == HTTP_ERROR:
        return is_retryable_status('GET', error.status, error.detail) or error.status in POLL_AGAIN_STATUSES
    return AFTER_FAILURE.get(kind, NOTHING_FOLLOWS).polled_again
