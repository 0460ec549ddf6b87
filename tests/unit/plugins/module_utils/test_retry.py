# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import email.utils
import itertools

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils._retry import (
    backoff_delays,
    is_retryable_status,
    parse_retry_after,
)


@pytest.mark.parametrize('rand', [0.0, 0.5, 0.999999])
def test_backoff_grows_doubles_and_caps_with_jitter(rand):
    delays = list(itertools.islice(backoff_delays(base=1.0, cap=8.0, rand=lambda: rand), 7))
    ceilings = [1, 2, 4, 8, 8, 8, 8]
    for delay, ceiling in zip(delays, ceilings):
        assert ceiling / 2 <= delay <= ceiling


def test_backoff_never_zero():
    assert min(itertools.islice(backoff_delays(rand=lambda: 0.0), 20)) >= 0.5


@pytest.mark.parametrize('value,expected', [
    ('3', 3.0), (' 0 ', 0.0), ('2.5', 2.5), ('-4', 0.0), ('100000', 120.0),
    (None, None), ('', None), ('soon', None), ('nan', None),
])
def test_retry_after_seconds(value, expected):
    assert parse_retry_after(value, now=1000.0) == expected


def test_retry_after_http_date():
    now = 1_800_000_000.0
    assert parse_retry_after(email.utils.formatdate(now + 30, usegmt=True), now) == pytest.approx(30, abs=1)
    assert parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now) == 0.0
    assert parse_retry_after(email.utils.formatdate(now + 9999, usegmt=True), now, cap=60) == 60


@pytest.mark.parametrize('method,status,expected', [
    ('GET', 429, True), ('GET', 500, True), ('GET', 502, True), ('GET', 503, True), ('GET', 504, True),
    ('GET', 501, False), ('GET', 400, False), ('GET', 401, False), ('GET', 404, False),
    ('POST', 429, True), ('POST', 503, False), ('post', 500, False),
])
def test_retryable_statuses(method, status, expected):
    assert is_retryable_status(method, status) is expected


@pytest.mark.parametrize('method,text,expected', [
    ('GET', 'Server is busy. Please try again.', True), ('GET', 'Please Try Again later', True),
    ('GET', 'Retry the operation after sometime.', True), ('GET', 'Invalid filter', False), ('GET', '', False),
    ('GET', None, False), ('POST', 'Please try again', False),
])
def test_a_busy_400_is_retried_for_gets_only(method, text, expected):
    assert is_retryable_status(method, 400, text) is expected
