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

import errno
import hashlib
import hmac
import json
import os
import threading
import time

from ansible_collections.cisco.cdfmc.plugins.module_utils._client import AuthBase, HAS_REQUESTS
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcRequestError, CdfmcResponseError
from ansible_collections.cisco.cdfmc.plugins.module_utils._json import loads as json_loads
from ansible_collections.cisco.cdfmc.plugins.module_utils._statefile import (
    LOCK_PATIENCE,
    SharedFileUnavailable,
    locked,
    open_private,
    private_directory,
    read_state,
    write_state,
)

if HAS_REQUESTS:
    from requests.auth import HTTPBasicAuth

ACCESS_TOKEN_LIFETIME = 30 * 60
RENEW_MARGIN = 5 * 60
MAX_REFRESHES = 3
LOGIN_PATH = '/fmc_platform/v1/auth/generatetoken'
REFRESH_PATH = '/fmc_platform/v1/auth/refreshtoken'
KEY_BYTES = 32


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

    def __init__(self, settings, directory=None, clock=time.time, lifetime=ACCESS_TOKEN_LIFETIME, warn=None,
                 monotonic=time.monotonic):
        self._settings = settings
        self._clock = clock
        self._monotonic = monotonic  # the deadlines' clock
        self._lifetime = lifetime
        self._warn = warn
        self._warned = set()
        # Serialises renewals only. Readers never take it: a thread holding a request slot must not wait
        # on a renewal that itself waits for a slot.
        self._lock = threading.RLock()
        self._state = None  # replaced whole, never changed in place, so reading it needs no lock
        self._sent = threading.local()
        self._directory = directory or private_directory()
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
        key, problem = self._read_key(path)
        if key is None:
            if problem:
                self._warn_once('cisco.cdfmc: the login cache key %s could not be used (%s) and has been replaced'
                                % (path, problem))
            key = self._new_key(path, replace=problem is not None)
        return hmac.new(key, self._settings.password.encode('utf-8'), hashlib.sha256).hexdigest()

    def _new_key(self, path, replace):
        """Write a new key; unless ``replace``, only where there is none, so that forks agree on one key."""
        key = os.urandom(KEY_BYTES)
        temporary = '%s.%d.tmp' % (path, os.getpid())
        try:
            # Written whole under another name, then linked into place: a fork starting at the same moment
            # finds no key or a whole one, never an empty file (which would give it a login of its own).
            write_state(temporary, key)
            try:
                if replace:
                    os.replace(temporary, path)
                else:
                    os.link(temporary, path)
            except OSError as exc:
                if exc.errno != errno.EEXIST:
                    raise SharedFileUnavailable('cannot write the login cache key %s: %s' % (path, exc.strerror))
        except SharedFileUnavailable as exc:
            # Without a key file this process still logs in; its cache is its own.
            self._warn_once('cisco.cdfmc: %s; the login is not shared with other processes' % exc)
            return key
        finally:
            try:
                os.unlink(temporary)
            except OSError:
                pass
        found, _problem = self._read_key(path)
        return found or key

    @staticmethod
    def _read_key(path):
        """(key, problem): the key, or None and why the file cannot be used (None, None: there is none)."""
        try:
            descriptor = open_private(path)
        except SharedFileUnavailable as exc:
            return None, str(exc)
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                return None, None
            return None, 'cannot read it: %s' % exc.strerror
        with os.fdopen(descriptor, 'rb') as handle:
            key = handle.read(KEY_BYTES + 1)
        if len(key) != KEY_BYTES:
            return None, 'it does not hold a key'
        return key, None

    def _warn_once(self, message):
        if message not in self._warned:
            self._warned.add(message)
            if self._warn is not None:
                self._warn(message)

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

    def _renew(self, client, deadline, failed):
        try:
            # The lock is held across one refresh and one login, so it is waited for as long as those may take.
            patience = 2 * self._settings.request_timeout + LOCK_PATIENCE
            with locked(self._lock_path, deadline, self._monotonic, patience=patience):
                cached, problem = read_state(self._cache_path, _cache_problem)
                state = self._renewed(client, deadline, failed, cached)
                if state is not cached:
                    self._save(state, problem)
                return
        except SharedFileUnavailable as exc:
            if deadline is not None and self._monotonic() >= deadline:
                raise CdfmcRequestError('the deadline came before the login cache\'s lock was free (%s)' % exc)
            self._warn_once('cisco.cdfmc: the login cache shared with other processes cannot be used (%s); this process '
                            'logs in on its own' % exc)
        self._renewed(client, deadline, failed, None)

    def _save(self, state, problem):
        """Share a new token through the cache (under its lock); a cache that cannot be written is not fatal."""
        try:
            write_state(self._cache_path, json.dumps(state))
        except SharedFileUnavailable as exc:
            self._warn_once('cisco.cdfmc: %s; the login is not shared with other processes' % exc)
            return
        if problem:
            self._warn_once('cisco.cdfmc: the login cache was damaged and has been replaced (%s)' % problem)

    def _renewed(self, client, deadline, failed, cached):
        """Make a fresh token the one in use and return its state: another fork's, a refreshed or a new one."""
        now = self._clock()
        # Another fork (or thread) may have renewed already: take its token.
        for candidate in (cached, self._state):
            if candidate and candidate['access'] != failed and self._fresh(candidate, now):
                self._state = candidate
                return candidate
        newest = max((s for s in (cached, self._state) if s), key=lambda s: s['obtained'], default=None)
        state = None
        if newest and newest['refreshes'] < MAX_REFRESHES and now - newest['obtained'] < self._lifetime:
            try:
                state = self._refresh(client, newest, deadline)
            except CdfmcRequestError as exc:
                # Whatever went wrong with the refresh (refused, a 5xx, a bad answer), a new login may work.
                client.log('the token refresh failed (%s); logging in again' % exc)
        if state is None:
            state = self._login(client, deadline)
        self._state = state
        return state

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
            domains = json_loads(headers.get('DOMAINS') or '[]')
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


_CACHE_FIELDS = {'access': str, 'refresh': str, 'obtained': (int, float), 'refreshes': int, 'domains': list,
                 'domain_uuid': (str, type(None))}


def _cache_problem(state):
    """Why a login cache is not one this code wrote, or None."""
    wrong = sorted(name for name, kind in _CACHE_FIELDS.items() if not isinstance(state.get(name), kind))
    if wrong:
        return 'unexpected %s' % ', '.join(wrong)
    if any(not isinstance(d, dict) or not isinstance(d.get('name'), str) or not isinstance(d.get('uuid'), str)
           for d in state['domains']):
        return 'unexpected domains'
    return None
