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
import errno
import fcntl
import hashlib
import hmac
import json
import os
import tempfile
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
        # Serialises renewals only. Readers never take it: a thread holding a request slot must not wait
        # on a renewal that itself waits for a slot.
        self._lock = threading.RLock()
        self._state = None  # replaced whole, never changed in place, so reading it needs no lock
        self._sent = threading.local()
        self._directory = directory or budget_directory()
        identity = '%s%s%s\0%s\0%s' % (
            settings.server, settings.base_path, settings.api_prefix, settings.username, self._password_tag())
        key = hashlib.sha256(identity.encode('utf-8')).hexdigest()[:32]
        self._cache_path = os.path.join(self._directory, 'login-%s.json' % key)
        self._lock_path = os.path.join(self._directory, 'login-%s.lock' % key)

    def _password_tag(self):
        """A keyed hash of the password, so a wrong or changed password never reuses another's login.

        The key is random, kept in the private directory: the file name says nothing of the password.
        """
        path = os.path.join(self._directory, 'login.key')
        key = self._read_key(path)
        if key is None:
            # Written whole under another name, then linked into place: a fork starting at the same moment
            # finds no key or a whole one, never an empty file (which would give it a login of its own).
            try:
                descriptor, temporary = tempfile.mkstemp(prefix='login.key.', suffix='.tmp', dir=self._directory)
                with os.fdopen(descriptor, 'wb') as handle:
                    handle.write(os.urandom(32))
                try:
                    os.link(temporary, path)
                except OSError as exc:
                    if exc.errno != errno.EEXIST:
                        raise
                finally:
                    os.unlink(temporary)
            except OSError as exc:
                raise CdfmcRequestError('cannot write the login cache key %s: %s' % (path, exc.strerror))
            key = self._read_key(path)
            if key is None:
                raise CdfmcRequestError('the login cache key %s vanished as it was written; run again' % path)
        return hmac.new(key, self._settings.password.encode('utf-8'), hashlib.sha256).hexdigest()

    @staticmethod
    def _read_key(path):
        try:
            with os.fdopen(os.open(path, os.O_RDONLY | getattr(os, 'O_NOFOLLOW', 0)), 'rb') as handle:
                return handle.read()
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                return None
            raise CdfmcRequestError('cannot read the login cache key %s: %s' % (path, exc.strerror))

    def __repr__(self):
        return '<FmcLoginAuth %s>' % self._settings.username

    def __call__(self, request):
        state = self._state
        token = state['access'] if state else ''
        self._sent.token = token
        request.headers['X-auth-access-token'] = token
        return request

    @property
    def secrets(self):
        """Values that must never be shown."""
        state = self._state or {}
        return tuple(value for value in (self._settings.password, state.get('access'), state.get('refresh'),
                                         getattr(self._sent, 'token', None)) if value)

    @property
    def marker(self):
        """The access token this thread last sent: tells renew() whether another thread already replaced it."""
        return getattr(self._sent, 'token', None)

    @property
    def domain_uuid(self):
        """The login's DOMAIN_UUID."""
        state = self._state
        return state.get('domain_uuid') if state else None

    @property
    def domains(self):
        """The login's DOMAINS: a list of {name, uuid}."""
        state = self._state
        return list(state.get('domains') or []) if state else []

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
        try:
            descriptor = os.open(self._lock_path, os.O_RDWR | os.O_CREAT | getattr(os, 'O_NOFOLLOW', 0), 0o600)
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        except OSError as exc:
            raise CdfmcRequestError('cannot lock the login cache %s: %s' % (self._lock_path, exc.strerror))
        try:
            yield
        finally:
            os.close(descriptor)

    def _read_cache(self):
        """The cached login, or None when there is none or it is not one this code wrote."""
        try:
            with os.fdopen(os.open(self._cache_path, os.O_RDONLY | getattr(os, 'O_NOFOLLOW', 0))) as handle:
                state = json.load(handle)
        except (OSError, ValueError):
            return None
        required = {'access': str, 'refresh': str, 'obtained': (int, float), 'refreshes': int,
                    'domains': list, 'domain_uuid': (str, type(None))}
        if not isinstance(state, dict) or any(not isinstance(state.get(k), t) for k, t in required.items()):
            return None
        if any(not isinstance(d, dict) or not isinstance(d.get('name'), str) or not isinstance(d.get('uuid'), str)
               for d in state['domains']):
            return None
        return state

    def _write_cache(self, state):
        temporary = '%s.%d.tmp' % (self._cache_path, os.getpid())
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, 'O_NOFOLLOW', 0), 0o600)
            with os.fdopen(descriptor, 'w') as handle:
                json.dump(state, handle)
            os.replace(temporary, self._cache_path)
        except OSError as exc:
            raise CdfmcRequestError('cannot write the login cache %s: %s' % (self._cache_path, exc.strerror))

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
            # UTF-8, not the Latin-1 that requests would use for text (RFC 7617).
            _body, headers = client.request('POST', LOGIN_PATH, deadline=deadline, with_headers=True,
                                            auth=HTTPBasicAuth(settings.username.encode('utf-8'),
                                                               settings.password.encode('utf-8')))
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
                'domain_uuid': headers.get('DOMAIN_UUID') or None, 'domains': domains}

    def _refresh(self, client, state, deadline):
        _body, headers = client.request(
            'POST', REFRESH_PATH, deadline=deadline, with_headers=True, auth=NoAuth(),
            headers={'X-auth-access-token': state['access'], 'X-auth-refresh-token': state['refresh']})
        access, refresh = self._tokens(headers, 'token refresh')
        return dict(state, access=access, refresh=refresh, obtained=self._clock(), refreshes=state['refreshes'] + 1)
