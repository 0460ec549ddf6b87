# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Exceptions of the cisco.cdfmc client and core.

Each names its ``kind`` of failure; what follows from each kind (retry at once, poll again later) is
decided in one table, next to the retry rules (``_retry.py``).

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It does no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

INVALID = 'invalid'
UNTRUSTED = 'untrusted'
REFUSED = 'refused'
NO_ANSWER = 'no answer'
BAD_ANSWER = 'bad answer'
HTTP_ERROR = 'http'
MISSING_LIBRARY = 'missing library'


class CdfmcError(Exception):
    """Base of every error the collection raises; its message is safe to show."""

    kind = None


class CdfmcOptionError(CdfmcError):
    """An option or argument was refused before any request was made."""

    kind = INVALID


class CdfmcLibraryError(CdfmcError):
    """A Python library the collection needs is missing or too old where it runs (``details``: the traceback)."""

    kind = MISSING_LIBRARY

    def __init__(self, message, details=None):
        super(CdfmcLibraryError, self).__init__(message)
        self.details = details


class CdfmcRequestError(CdfmcError):
    """A request failed: no answer, or an answer that is not a success.

    ``method`` and ``path`` name the request; ``status`` is the HTTP status, or None when no response arrived.
    What else is known comes as keywords (``FACTS``, with their values when not given):
    ``retry_after`` is the server's Retry-After delay in seconds, when it sent one.
    ``refused`` is True when the connection was refused (nothing reached the server).
    ``detail`` is the server's own message of an HTTP error (its messages' descriptions), or ''.
    ``sent`` is False when the request was never sent (no time left, the budget, a bad CA path).
    ``kind`` follows from the class and the status, unless given.
    """

    default_kind = None
    FACTS = dict(retry_after=None, refused=False, detail='', sent=True, kind=None)

    def __init__(self, message, method=None, path=None, status=None, **facts):
        super(CdfmcRequestError, self).__init__(message)
        unknown = set(facts) - set(self.FACTS)
        if unknown:
            raise TypeError('unknown request error facts: %s' % ', '.join(sorted(unknown)))
        facts = dict(self.FACTS, **facts)
        self.method, self.path, self.status = method, path, status
        self.retry_after, self.refused, self.detail, self.sent = (
            facts['retry_after'], facts['refused'], facts['detail'], facts['sent'])
        self._kind = facts['kind']

    @property
    def kind(self):
        if self._kind or self.default_kind:
            return self._kind or self.default_kind
        if self.status is not None:
            return HTTP_ERROR
        return REFUSED if self.refused else NO_ANSWER


class CdfmcTLSError(CdfmcRequestError):
    """The server's certificate could not be verified."""

    default_kind = UNTRUSTED


class CdfmcResponseError(CdfmcRequestError):
    """The server answered with a success status but a body (or headers) that cannot be used."""

    default_kind = BAD_ANSWER
