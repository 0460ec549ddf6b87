# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the connection options put into URLs: base_url parsed and checked, the API prefix, and the identifiers
(task ids, domain UUIDs) that stand as one path segment.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It does no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from urllib.parse import urlsplit

from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError

CDFMC_API_PREFIX = '/v1/cdfmc/api'
FMC_API_PREFIX = '/api'

# Task ids and domain UUIDs become one path segment: nothing that could change the path.
_IDENTIFIER = re.compile(r'\A[A-Za-z0-9][A-Za-z0-9._-]{0,127}\Z')
_PREFIX_SEGMENT = re.compile(r'\A[A-Za-z0-9._~-]+\Z')


def validate_identifier(value, what):
    """Return value as text when it may stand as one path segment, else raise CdfmcOptionError."""
    if not isinstance(value, str):
        raise CdfmcOptionError('%s must be a string, got %s' % (what, type(value).__name__))
    value = str(value)
    if not _IDENTIFIER.match(value):
        shown = value if len(value) <= 40 else '%s... (%d characters)' % (value[:40], len(value))
        raise CdfmcOptionError(
            '%s %r is not valid: use 1 to 128 letters, digits, ".", "_" or "-", starting with a letter or digit'
            % (what, shown))
    return value


def validate_task_id(value):
    """Return a task id that SPEC allows, or raise CdfmcOptionError."""
    return validate_identifier(value, 'task id')


def _is_loopback(host):
    if host.lower() == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refuse_url_credentials(base_url):
    """Refuse a base_url that holds credentials, without echoing them.

    An "@" has no other use in these URLs, and a password may hold "/", so any "@" is refused.
    """
    if isinstance(base_url, str) and '@' in base_url:
        raise CdfmcOptionError('base_url must not contain credentials; give them with api_token, or username and password')


def parse_base_url(base_url):
    """Return (scheme, netloc, host, path) of base_url, or raise CdfmcOptionError."""
    base_url = base_url.strip()
    # Credentials are looked for before anything else parses the URL: no message may echo them.
    refuse_url_credentials(base_url)
    try:
        parts = urlsplit(base_url)
        port = parts.port
    except ValueError:
        raise CdfmcOptionError('base_url is not a valid URL: check its host name and port')
    scheme = parts.scheme.lower()
    if scheme not in ('https', 'http') or not parts.hostname:
        raise CdfmcOptionError(
            'base_url must be an absolute https:// URL such as https://fmc.example.com '
            'or https://api.us.security.cisco.com/firewall')
    if parts.query or parts.fragment or base_url.endswith(('?', '#')):
        raise CdfmcOptionError('base_url must not contain a query or a fragment')
    host = parts.hostname
    if not _is_loopback(host):
        try:
            ipaddress.ip_address(host)
        except ValueError:
            try:
                host.encode('idna')
            except UnicodeError:
                raise CdfmcOptionError('base_url has a host name that is not valid: %r' % host[:80])
    if scheme == 'http' and not _is_loopback(host):
        raise CdfmcOptionError(
            'base_url uses plain http:// to %s; credentials would cross the network unencrypted. '
            'Use https:// (plain http is allowed only to a loopback address)' % host)
    netloc = host if ':' not in host else '[%s]' % host
    if port is not None:
        netloc = '%s:%d' % (netloc, port)
    path = parts.path.rstrip('/')
    for segment in path.split('/')[1:]:
        if not _PREFIX_SEGMENT.match(segment) or segment in ('.', '..'):
            raise CdfmcOptionError('base_url has a path segment that is not allowed: %r' % segment)
    return scheme, netloc, host, path


def normalize_api_prefix(api_prefix):
    prefix = '/' + api_prefix.strip().strip('/')
    if prefix == '/':
        return ''
    for segment in prefix.split('/')[1:]:
        if not _PREFIX_SEGMENT.match(segment) or segment in ('.', '..'):
            raise CdfmcOptionError(
                'api_prefix %r is not valid: use path segments of letters, digits, ".", "_", "~" or "-"'
                % api_prefix)
    return prefix


# Everything a ConnectionSettings holds, each checked by from_options().
