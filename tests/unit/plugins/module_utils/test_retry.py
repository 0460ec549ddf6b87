# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import email.utils
import itertools

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import (
    HTTP_ERROR,
    NO_ANSWER,
    CdfmcLibraryError,
    CdfmcOptionError,
    CdfmcRequestError,
    CdfmcResponseError,
    CdfmcTLSError,
)
from ansible_collections.cisco.cdfmc.plugins.module_utils._retry import (
    AFTER_FAILURE,
    backoff_delays,
    is_retryable_status,
    may_have_arrived,
    parse_retry_after,
    polled_again,
    retried_at_once,
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


# Every kind of failure: (the error, a GET retried at once, a POST retried at once, the wait polls the task again).
# These are the outcomes the client and the wait had before the rules were put in one table.
FAILURES = [
    (CdfmcOptionError('bad task id'), False, False, False),
    (CdfmcLibraryError('requests is missing'), False, False, False),
    (CdfmcTLSError('untrusted certificate'), False, False, False),
    (CdfmcRequestError('connection refused', refused=True), True, True, True),
    (CdfmcRequestError('no answer within 30s'), True, False, True),
    (CdfmcRequestError('the deadline came before the request budget had room'), True, False, True),
    (CdfmcResponseError('HTTP 200 with a body that is not JSON', status=200), False, False, True),
    (CdfmcResponseError('the response is larger than 8388608 bytes', status=200, kind=NO_ANSWER), True, False, True),
    (CdfmcRequestError('HTTP 400', status=400, detail='Busy. Please try again.'), True, False, True),
    (CdfmcRequestError('HTTP 400', status=400, detail='Retry the operation after sometime'), True, False, True),
]
# HTTP answers by status: (a GET retried at once, a POST retried at once, polled again).
HTTP_OUTCOMES = {
    429: (True, True, True), 500: (True, False, True), 502: (True, False, True), 503: (True, False, True),
    504: (True, False, True), 408: (False, False, True), 400: (False, False, False), 401: (False, False, False),
    403: (False, False, False), 404: (False, False, False), 405: (False, False, False), 301: (False, False, False),
    501: (False, False, False), 505: (False, False, False),
}
FAILURES += [(CdfmcRequestError('HTTP %d' % status, status=status, detail='Invalid id'),) + outcome
             for status, outcome in sorted(HTTP_OUTCOMES.items())]


@pytest.mark.parametrize('error,get,post,later', FAILURES, ids=[str(row[0]) for row in FAILURES])
def test_what_follows_each_kind_of_failure(error, get, post, later):
    assert retried_at_once(error, 'GET') is get
    assert retried_at_once(error, 'POST') is post
    assert polled_again(error) is later


def test_every_kind_of_failure_is_in_the_table():
    kinds = set(row[0].kind for row in FAILURES)
    assert kinds == set(AFTER_FAILURE) | {HTTP_ERROR}


def test_an_unexpected_error_ends_the_task():
    assert polled_again(ValueError('the task status is a JSON list')) is False


@pytest.mark.parametrize('error,arrived', [
    (CdfmcRequestError('no answer within 30s'), True),
    (CdfmcRequestError('no time left before the deadline', sent=False), False),
    (CdfmcRequestError('connection refused', refused=True), False),
    (CdfmcTLSError('untrusted certificate'), False),
    (CdfmcResponseError('HTTP 200 with a body that is not JSON', status=200), True),
    (CdfmcOptionError('task id is not valid'), False),
] + [(CdfmcRequestError('HTTP %d' % status, status=status), status in (502, 504))
     for status in (400, 401, 404, 429, 500, 502, 503, 504)])
def test_a_request_may_have_arrived_when_it_was_sent_and_no_usable_answer_came(error, arrived):
    assert may_have_arrived(error) is arrived
