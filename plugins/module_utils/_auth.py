# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""On-prem FMC login: access tokens that are refreshed, then renewed by a new login, shared by forks.

FMC's access token lives 30 minutes (the login does not say so) and can be
refreshed 3 times; then a new login is needed. Tokens are renewed a few minutes
before the assumed expiry, and again after a 401. The forks of a run share one
login through a cache file in the private per-user directory (0600): tokens
only, never the password.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import fcntl
import hashlib
import json
import os
import threading
import time

from ansible_collections.cisco.cdfmc.plugins.module_utils._budget import budget_directory
from ansible_collections.cisco.cdfmc.plugins.module_utils._client import AuthBase, HAS_REQUESTS
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcRequestError, CdfmcResponseError

if HAS_REQUESTS:
    from requests.auth import HTTPBasicAuth

ACCESS_TOKEN_LIFETIME = 30 * 60
RENEW_MARGIN = 5 * 60
MAX_REFRESHES = 3
LOGIN_PATH = '/fmc_platform/v1/auth/generatetoken'
REFRESH_PATH = '/fmc_platform/v1/auth/refreshtoken'


class NoAuth(AuthBase):
    """Sends a request with no credentials but the headers given to it (the refresh request)."""

    def __call__(self, request):
        return request


class FmcLoginAuth(AuthBase):
    """Adds ``X-auth-access-token`` and keeps it valid: refresh, then a new login, shared by processes.

    ``prepare(client, deadline)`` runs before every request, ``renew(client, deadline,
    failed)`` after a 401 (``failed`` is the token that was refused). ``clock`` is wall
    time, since tokens age by it in every process.
    """

    def __init__(self, settings, directory=None, clock=time.time, lifetime=ACCESS_TOKEN_LIFETIME):
        self._settings = settings
        self._clock = clock
        self._lifetime = lifetime
        self._lock = threading.RLock()
        self._state = None
        directory = directory or budget_directory()
        identity = '%s%s%s\0%s' % (settings.server, settings.base_path, settings.api_prefix, settings.username)
        key = hashlib.sha256(identity.encode('utf-8')).hexdigest()[:32]
        self._cache_path = os.path.join(directory, 'login-%s.json' % key)
        self._lock_path = os.path.join(directory, 'login-%s.lock' % key)

    def __repr__(self):
        return '<FmcLoginAuth %s>' % self._settings.username

    def __call__(self, request):
        with self._lock:
            token = self._state['access'] if self._state else ''
        request.headers['X-auth-access-token'] = token
        return request

    @property
    def secrets(self):
        """Values that must never be shown."""
        with self._lock:
            state = self._state or {}
            return tuple(value for value in (self._settings.password, state.get('access'), state.get('refresh')) if value)

    @property
    def marker(self):
        """The access token in use: tells renew() whether another thread already replaced it."""
        with self._lock:
            return self._state['access'] if self._state else None

    @property
    def domain_uuid(self):
        """The login's DOMAIN_UUID."""
        with self._lock:
            return self._state.get('domain_uuid') if self._state else None

    @property
    def domains(self):
        """The login's DOMAINS: a list of {name, uuid}."""
        with self._lock:
            return list(self._state.get('domains') or []) if self._state else []

    def _fresh(self, state, now):
        return bool(state) and 0 <= now - state['obtained'] < self._lifetime - min(RENEW_MARGIN, self._lifetime / 6)

    def prepare(self, client, deadline=None):
        """Make sure a token that is not about to expire is in use."""
        with self._lock:
            if self._fresh(self._state, self._clock()):
                return
            self._renew(client, deadline, failed=None)

    def renew(self, client, deadline=None, failed=None):
        """After a 401 with token ``failed``: get another one. True when the request is worth retrying."""
        with self._lock:
            self._renew(client, deadline, failed)
        return True

    @contextlib.contextmanager
    def _shared(self):
        descriptor = os.open(self._lock_path, os.O_RDWR | os.O_CREAT | getattr(os, 'O_NOFOLLOW', 0), 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)

    def _read_cache(self):
        try:
            with open(self._cache_path) as handle:
                state = json.load(handle)
        except (OSError, ValueError):
            return None
        required = {'access': str, 'refresh': str, 'obtained': (int, float), 'refreshes': int}
        if not isinstance(state, dict) or any(not isinstance(state.get(k), t) for k, t in required.items()):
            return None
        return state

    def _write_cache(self, state):
        temporary = '%s.%d.tmp' % (self._cache_path, os.getpid())
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, 'O_NOFOLLOW', 0), 0o600)
        with os.fdopen(descriptor, 'w') as handle:
            json.dump(state, handle)
        os.replace(temporary, self._cache_path)

    def _renew(self, client, deadline, failed):
        with self._shared():
            now = self._clock()
            cached = self._read_cache()
            # Another fork (or thread) may have renewed already: take its token.
            for candidate in (cached, self._state):
                if candidate and candidate['access'] != failed and self._fresh(candidate, now):
                    self._state = candidate
                    return
            newest = max((s for s in (cached, self._state) if s), key=lambda s: s['obtained'], default=None)
            state = None
            if newest and newest['refreshes'] < MAX_REFRESHES and now - newest['obtained'] < self._lifetime:
                try:
                    state = self._refresh(client, newest, deadline)
                except CdfmcRequestError as exc:
                    if exc.status not in (400, 401, 403):
                        raise
            if state is None:
                state = self._login(client, deadline)
            self._write_cache(state)
            self._state = state

    def _tokens(self, headers, what):
        access = headers.get('X-auth-access-token')
        refresh = headers.get('X-auth-refresh-token')
        if not access or not refresh:
            raise CdfmcResponseError(
                'the %s answer of %s has no X-auth-access-token or X-auth-refresh-token header; is base_url an '
                'on-prem FMC?' % (what, self._settings.server), status=200)
        return access, refresh

    def _login(self, client, deadline):
        settings = self._settings
        try:
            _body, headers = client.request('POST', LOGIN_PATH, deadline=deadline, with_headers=True,
                                            auth=HTTPBasicAuth(settings.username, settings.password))
        except CdfmcRequestError as exc:
            if exc.status in (401, 403):
                raise CdfmcRequestError('login as %s on %s failed (HTTP %d): check username and password (or '
                                        'CDFMC_USERNAME and CDFMC_PASSWORD)' % (settings.username, settings.server,
                                                                                exc.status),
                                        method='POST', path=exc.path, status=exc.status)
            raise
        access, refresh = self._tokens(headers, 'login')
        try:
            domains = json.loads(headers.get('DOMAINS') or '[]')
        except ValueError:
            domains = []
        domains = [{'name': str(d.get('name')), 'uuid': str(d.get('uuid'))}
                   for d in domains if isinstance(d, dict) and d.get('uuid')] if isinstance(domains, list) else []
        return {'access': access, 'refresh': refresh, 'obtained': self._clock(), 'refreshes': 0,
                'domain_uuid': headers.get('DOMAIN_UUID'), 'domains': domains}

    def _refresh(self, client, state, deadline):
        _body, headers = client.request(
            'POST', REFRESH_PATH, deadline=deadline, with_headers=True, auth=NoAuth(),
            headers={'X-auth-access-token': state['access'], 'X-auth-refresh-token': state['refresh']})
        access, refresh = self._tokens(headers, 'token refresh')
        return dict(state, access=access, refresh=refresh, obtained=self._clock(), refreshes=state['refreshes'] + 1)
