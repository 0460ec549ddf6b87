# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Exceptions of the cisco.cdfmc client and core.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class CdfmcError(Exception):
    """Base of every error the collection raises; its message is safe to show."""


class CdfmcOptionError(CdfmcError):
    """An option or argument was refused before any request was made."""


class CdfmcRequestError(CdfmcError):
    """A request failed: no answer, or an answer that is not a success.

    ``status`` is the HTTP status, or None when no response arrived.
    ``retry_after`` is the server's Retry-After delay in seconds, when it sent one.
    ``refused`` is True when the connection was refused (nothing reached the server).
    ``detail`` is the server's own message of an HTTP error (its messages' descriptions), or ''.
    """

    def __init__(self, message, method=None, path=None, status=None, retry_after=None, refused=False, detail=''):
        super(CdfmcRequestError, self).__init__(message)
        self.method = method
        self.path = path
        self.status = status
        self.retry_after = retry_after
        self.refused = refused
        self.detail = detail


class CdfmcTLSError(CdfmcRequestError):
    """The server's certificate could not be verified."""


class CdfmcResponseError(CdfmcRequestError):
    """The server answered with a success status but a body that cannot be used."""
