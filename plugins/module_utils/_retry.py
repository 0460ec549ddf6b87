# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Retry rules: which failures are retried, and how long to wait before the next try.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It does no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import random

from email.utils import parsedate_to_datetime

RETRYABLE_GET_STATUSES = frozenset((429, 500, 502, 503, 504))
RETRYABLE_POST_STATUSES = frozenset((429,))
# FMC sometimes answers a GET with 400 and one of these in its message when it is busy; Cisco's own
# client (go-fmc) retries them as it does a 503.
RETRYABLE_400_TEXTS = ('please try again', 'retry the operation after sometime')

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
    another try."""
    if method.upper() == 'GET':
        if status == 400:
            text = (text or '').lower()
            return any(phrase in text for phrase in RETRYABLE_400_TEXTS)
        return status in RETRYABLE_GET_STATUSES
    return status in RETRYABLE_POST_STATUSES
