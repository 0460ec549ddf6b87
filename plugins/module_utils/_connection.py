# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The connection settings: the connection options checked once (``ConnectionSettings.from_options``), and the
server, credentials, domain, trust and limits they give.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It does no network I/O (it only checks that
ca_path holds a certificate).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import ssl

from urllib.parse import quote, urlsplit

from ansible_collections.cisco.cdfmc.plugins.module_utils._connection_spec import (
    CDFMC_GLOBAL_DOMAIN_UUID,
    CONNECTION_ARGUMENT_SPEC,
    REGIONS,
)
from ansible_collections.cisco.cdfmc.plugins.module_utils._display import masked, url_secrets
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError
from ansible_collections.cisco.cdfmc.plugins.module_utils._urls import (
    CDFMC_API_PREFIX,
    FMC_API_PREFIX,
    normalize_api_prefix,
    parse_base_url,
    validate_identifier,
    validate_task_id,
)

# A day: longer is a mistake, and very large values overflow the clock arithmetic.
MAX_REQUEST_TIMEOUT = 86400


SETTINGS_FIELDS = (
    'scheme', 'netloc', 'host', 'base_path', 'api_prefix',        # where the server is
    'api_token', 'username', 'password',                          # who we are: a token, or a login
    'domain_uuid', 'domain',                                      # whose tasks
    'validate_certs', 'ca_path',                                  # how the server is trusted
    'request_timeout', 'max_retries', 'max_requests_per_minute', 'max_concurrent_requests',  # limits
    'budget_url', 'budget_ca_file',                               # where the limits are shared (a Redis)
)


class ConnectionSettings:
    """Checked connection settings: where the server is, how to trust it, how to authenticate.

    Build it with from_options(); every problem is a CdfmcOptionError raised before
    any request. The token never appears in repr().
    """

    def __init__(self, **fields):
        unknown = set(fields) - set(SETTINGS_FIELDS)
        if unknown:
            raise TypeError('unknown connection settings: %s' % ', '.join(sorted(unknown)))
        for name in SETTINGS_FIELDS:
            setattr(self, name, fields.get(name))

    def __repr__(self):
        return '<ConnectionSettings %s%s%s domain=%s>' % (self.server, self.base_path, self.api_prefix,
                                                          self.domain_uuid or self.domain)

    @property
    def port(self):
        """The server's TCP port: the one base_url names, else the scheme's."""
        return urlsplit('%s://%s' % (self.scheme, self.netloc)).port or (443 if self.scheme == 'https' else 80)

    @property
    def warnings(self):
        """Settings that are allowed but probably wrong, one sentence each."""
        found = []
        if not self.uses_login and self.domain_uuid and self.domain_uuid.lower() != CDFMC_GLOBAL_DOMAIN_UUID:
            # A cdFMC has one domain: any other UUID makes every task answer 404.
            found.append('domain_uuid %s is not the Global domain of a cdFMC (%s), its only domain; with an api_token '
                         'every task in another domain answers HTTP 404. Leave domain_uuid unset unless this server is '
                         'not a cdFMC' % (self.domain_uuid, CDFMC_GLOBAL_DOMAIN_UUID))
        if self.budget_url and urlsplit(self.budget_url).password and not urlsplit(self.budget_url).username:
            # AWX hides a URL's password in a job's environment only when the URL names a user.
            found.append('budget_url %s gives a password but no user name; name the user (default, for a Redis with '
                         'only requirepass: rediss://default:PASSWORD@host:6379/0), as AWX shows the password of a '
                         'URL without one in the job\'s environment' % masked(self.budget_url))
        return found

    @property
    def store_secrets(self):
        """What of budget_url is never to be shown: the URL and its password."""
        return tuple(url_secrets(self.budget_url)) if self.budget_url else ()

    @property
    def uses_login(self):
        """True for an on-prem FMC login (user name and password), False for a cdFMC API token."""
        return self.username is not None

    @property
    def server(self):
        """scheme://host[:port]: names the server in messages and keys."""
        return '%s://%s' % (self.scheme, self.netloc)

    @property
    def verify(self):
        """What requests' ``verify`` gets: the CA file when given, else the validate_certs flag."""
        if not self.validate_certs:
            return False
        return self.ca_path or True

    def path(self, api_path):
        """Return the absolute path on the server of an API path such as /fmc_config/v1/..."""
        return '%s%s%s' % (self.base_path, self.api_prefix, api_path)

    def url(self, api_path):
        """Return the full URL of an API path such as /fmc_config/v1/..."""
        return self.server + self.path(api_path)

    def task_status_path(self, task_id, domain_uuid=None):
        """Return the API path of one task's status (the id checked and quoted)."""
        task_id = validate_task_id(task_id)
        domain_uuid = validate_identifier(domain_uuid or self.domain_uuid, 'domain_uuid')
        return '/fmc_config/v1/domain/%s/job/taskstatuses/%s' % (quote(domain_uuid, safe=''), quote(task_id, safe=''))

    @classmethod
    def from_options(cls, options):
        """Check connection options (an OptionAdapter: typed, and defaults given, by the argument spec) and return
        settings."""
        fields = _server_settings(options)
        fields.update(_credential_settings(options, region=options.get('region')))
        fields.update(_domain_settings(options, uses_login=fields['username'] is not None))
        fields.update(_trust_settings(options))
        fields.update(_limit_settings(options))
        fields.update(_store_settings(options))
        return cls(**fields)


def _server_settings(options):
    """Where the server is: base_url (or region) and the API prefix."""
    base_url, region = options.get('base_url'), options.get('region')
    if base_url and region:
        raise CdfmcOptionError(_both_given(options, 'base_url', 'region'))
    if not base_url and not region:
        raise CdfmcOptionError(
            'no server given: set base_url (or CDFMC_BASE_URL) to the FMC or gateway URL, '
            'or region (or CDFMC_REGION) to one of %s' % ', '.join(sorted(REGIONS)))
    if region:
        region = str(region).strip().lower()
        if region not in REGIONS:
            raise CdfmcOptionError('region %r is not known; use one of %s' % (region, ', '.join(sorted(REGIONS))))
        base_url = REGIONS[region]
    if not isinstance(base_url, str):
        raise CdfmcOptionError('base_url must be a string')
    scheme, netloc, host, base_path = parse_base_url(base_url)
    api_prefix = options.get('api_prefix')
    if api_prefix is None and base_path.lower().endswith(FMC_API_PREFIX):
        # The collection adds /api (or the gateway's /v1/cdfmc/api) itself: with it in base_url, every path is wrong.
        added = CDFMC_API_PREFIX if base_path.lower().endswith(CDFMC_API_PREFIX) else FMC_API_PREFIX
        raise CdfmcOptionError(
            'base_url is the server\'s address without %s: use %s://%s%s, not %s (the collection adds the API path '
            'itself)' % (added, scheme, netloc, base_path[:-len(added)], base_url.strip()))
    if api_prefix is None:
        api_prefix = CDFMC_API_PREFIX if base_path else FMC_API_PREFIX
    else:
        api_prefix = normalize_api_prefix(str(api_prefix))
    return dict(scheme=scheme, netloc=netloc, host=host, base_path=base_path, api_prefix=api_prefix)


def _both_given(options, first, second):
    """The message for two options that exclude each other: which came from where, and which to drop."""
    variables = dict((name, CONNECTION_ARGUMENT_SPEC[name]['fallback'][1][0]) for name in (first, second))
    given = getattr(options, 'given', lambda name: True)
    from_environment = [name for name in (first, second) if not given(name)]
    if len(from_environment) == 1:
        in_task = second if from_environment[0] == first else first
        return ('%s and %s are mutually exclusive: %s is set in the task and %s comes from the environment variable '
                '%s (as an AWX credential sets it); drop %s from the task to use %s, or unset %s'
                % (first, second, in_task, from_environment[0], variables[from_environment[0]], in_task,
                   from_environment[0], variables[from_environment[0]]))
    if from_environment:
        return '%s and %s are mutually exclusive: both come from the environment (%s and %s); unset one' % (
            first, second, variables[first], variables[second])
    return '%s and %s are mutually exclusive: both are set in the task; give only one of them' % (first, second)


def _credential_settings(options, region):
    """Who we are: a cdFMC API token, or an on-prem FMC user name and password (never echoed)."""
    api_token, username, password = options.get('api_token'), options.get('username'), options.get('password')
    if api_token and (username or password):
        raise CdfmcOptionError('api_token and username/password are mutually exclusive: give the API token of a '
                               'cdFMC, or the user name and password of an on-prem FMC')
    if not api_token and not username and not password:
        raise CdfmcOptionError('no credentials given: set api_token (or CDFMC_API_TOKEN) for a cdFMC, or username '
                               'and password (or CDFMC_USERNAME and CDFMC_PASSWORD) for an on-prem FMC')
    if api_token:
        api_token = str(api_token)
        if any(ord(char) < 0x21 or ord(char) > 0x7e for char in api_token):
            # Never echo the token: say only what is wrong with it.
            raise CdfmcOptionError('api_token contains white space or characters that cannot be sent in an HTTP header')
        return dict(api_token=api_token, username=None, password=None)
    if not username or not password:
        raise CdfmcOptionError('an on-prem FMC login needs both username and password '
                               '(or CDFMC_USERNAME and CDFMC_PASSWORD)')
    if region:
        raise CdfmcOptionError('region is for a cdFMC with api_token; for an on-prem FMC set base_url to its address')
    username, password = str(username), str(password)
    if ':' in username or any(ord(char) < 0x20 or ord(char) == 0x7f for char in username):
        raise CdfmcOptionError('username must not contain ":" or control characters')
    if any(ord(char) < 0x20 or ord(char) == 0x7f for char in password):
        raise CdfmcOptionError('password contains control characters')
    return dict(api_token=None, username=username, password=password)


def _domain_settings(options, uses_login):
    """Whose tasks: domain_uuid, or domain by name; with neither, the login's domain or the cdFMC's Global."""
    domain_uuid, domain = options.get('domain_uuid'), options.get('domain')
    if domain_uuid is not None and domain is not None:
        raise CdfmcOptionError(_both_given(options, 'domain_uuid', 'domain'))
    if domain_uuid is not None:
        domain_uuid = validate_identifier(domain_uuid, 'domain_uuid')
    elif domain is not None:
        domain = str(domain).strip()
        if not domain or len(domain) > 512:
            raise CdfmcOptionError('domain must be a domain name such as Global or Global/Site-A')
    elif not uses_login:
        domain_uuid = CDFMC_GLOBAL_DOMAIN_UUID
    return dict(domain_uuid=domain_uuid, domain=domain)


def _trust_settings(options):
    """How the server's certificate is checked."""
    validate_certs, ca_path = options.get('validate_certs'), options.get('ca_path')
    if ca_path is not None:
        ca_path = os.path.expanduser(str(ca_path))
        if validate_certs:
            _check_ca_path(ca_path)
    return dict(validate_certs=validate_certs, ca_path=ca_path)


def _limit_settings(options):
    """How long, how often and how many: the request timeout, retries, and the shared budget (their types and
    defaults are the argument spec's; their ranges are checked here)."""
    request_timeout = options.get('request_timeout')
    if not 0 < request_timeout <= MAX_REQUEST_TIMEOUT:
        raise CdfmcOptionError('request_timeout must be more than 0 and at most %d seconds, got %r'
                               % (MAX_REQUEST_TIMEOUT, request_timeout))
    return dict(
        request_timeout=request_timeout,
        max_retries=_whole_number(options.get('max_retries'), 'max_retries', 0),
        max_requests_per_minute=_whole_number(options.get('max_requests_per_minute'), 'max_requests_per_minute', 1),
        max_concurrent_requests=_whole_number(options.get('max_concurrent_requests'), 'max_concurrent_requests', 1),
    )


def _store_settings(options):
    """Where the budget and the login are shared across hosts: a Redis URL (its password never shown) and the CA
    file that Redis's TLS certificate is checked against."""
    url, ca_file = options.get('budget_url'), options.get('budget_ca_file')
    if url is not None:
        url = _store_url(str(url).strip())
    if ca_file is not None:
        ca_file = os.path.expanduser(str(ca_file))
        if not url or not url.lower().startswith('rediss:'):
            raise CdfmcOptionError('budget_ca_file is for a budget_url that uses TLS (rediss://); it was given with '
                                   '%s' % (masked(url) if url else 'no budget_url'))
        if os.path.isdir(ca_file):
            raise CdfmcOptionError('budget_ca_file %s is a directory; give the PEM file of the CA' % ca_file)
        _check_ca_path(ca_file, 'budget_ca_file')
    return dict(budget_url=url or None, budget_ca_file=ca_file)


# A password that holds one of these cuts the URL short (so that a part of it reads as a port, a path or a query).
_ENCODE = '; a user or password that holds /, ? or # must be percent-encoded (%2F, %3F, %23)'


def _store_url(url):
    """budget_url checked (its scheme in lower case): a Redis URL with a host, a port and a database number at
    most, and no query (redis-py would let one override the timeouts and the TLS checks)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ('redis', 'rediss') or not parts.hostname:
        raise CdfmcOptionError('budget_url must be a Redis URL such as rediss://user:password@host:6379/0 (TLS) or '
                               'redis://..., got %s%s' % (masked(url), _ENCODE))
    try:
        parts.port
    except ValueError:
        raise CdfmcOptionError('budget_url %s has a port that is not a number from 0 to 65535%s' % (masked(url), _ENCODE))
    if parts.query or parts.fragment or '?' in url:
        raise CdfmcOptionError('budget_url %s has a query or a fragment; it takes none (the database number goes in '
                               'the path: rediss://user:password@host:6379/0)%s' % (masked(url).split('?')[0], _ENCODE))
    if parts.path.strip('/') and not parts.path.strip('/').isdigit():
        raise CdfmcOptionError('budget_url %s names a database that is not a number%s' % (masked(url), _ENCODE))
    return parts.scheme.lower() + url[len(parts.scheme):]


def _check_ca_path(ca_path, name='ca_path'):
    """A CA file must hold at least one PEM certificate; a directory must exist."""
    if os.path.isdir(ca_path):
        return
    if not os.path.isfile(ca_path):
        raise CdfmcOptionError('%s %s does not exist or is not a file or directory' % (name, ca_path))
    try:
        ssl.create_default_context(cafile=ca_path)
    except (ssl.SSLError, OSError, ValueError):
        raise CdfmcOptionError('%s %s holds no PEM certificate that can be loaded' % (name, ca_path))


def _whole_number(number, name, minimum):
    """An int option at least ``minimum``; a boolean, which the argument spec lets through as an int, is refused."""
    if isinstance(number, bool):
        raise CdfmcOptionError('%s must be a whole number, got %r' % (name, number))
    if number < minimum:
        raise CdfmcOptionError('%s must be %d or more, got %d' % (name, minimum, number))
    return number
