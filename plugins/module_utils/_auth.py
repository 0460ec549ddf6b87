# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentication: the interface the transport relies on, a cdFMC API token, and the on-prem FMC login.

Every kind of authentication is an ``Auth``: requests' auth hook (so ~/.netrc cannot replace it), the secrets
to mask, and two seams the transport calls, ``prepare`` before a request and ``renew`` after a 401.

On-prem, FMC's access token lives 30 minutes (the login does not say so) and can be refreshed 3 times; then a
new login is needed. Tokens are renewed a few minutes before the assumed expiry, and again after a 401. The
forks of a run share one login through a cache file in the private per-user directory (0600, through the
shared-file helper): tokens only, never the password.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. Login and refresh requests go through the transport it is given.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import errno
import hashlib
import hmac
import os
import threading

from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import SYSTEM_CLOCK
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcRequestError, CdfmcResponseError
from ansible_collections.cisco.cdfmc.plugins.module_utils._json import loads as json_loads
from ansible_collections.cisco.cdfmc.plugins.module_utils._statefile import (
    LOCK_PATIENCE,
    SharedFileUnavailable,
    SharedState,
    private_directory,
    read_private,
    write_state,
)

try:
    from requests.auth import AuthBase, HTTPBasicAuth
except ImportError:
    AuthBase = object
    HTTPBasicAuth = None

ACCESS_TOKEN_LIFETIME = 30 * 60
RENEW_MARGIN = 5 * 60
# A login shared through a store may come from another host, whose clock may be a little ahead of this one's.
CLOCK_SKEW = 60
MAX_REFRESHES = 3
LOGIN_PATH = '/fmc_platform/v1/auth/generatetoken'
REFRESH_PATH = '/fmc_platform/v1/auth/refreshtoken'
KEY_BYTES = 32


class Auth(AuthBase):
    """What the transport needs of any authentication.

    ``__call__(request)`` adds the credentials to one request (requests' auth hook); ``secrets`` are the values
    never to show; ``sent_token`` is the token this thread last sent (None when there is nothing to renew);
    ``prepare(transport, deadline)`` runs before every request, and ``renew(transport, deadline, refused)``
    after a 401 with the token ``refused``: True when new credentials were obtained and the request is worth
    one more try.
    """

    secrets = ()
    sent_token = None

    def __call__(self, request):
        return request

    def prepare(self, transport, deadline=None):
        """Nothing to prepare."""

    def renew(self, transport, deadline=None, refused=None):
        """Nothing to renew."""
        return False


class NoAuth(Auth):
    """Sends a request with no credentials but the headers given to it (the token refresh)."""


class TokenAuth(Auth):
    """Adds ``Authorization: Bearer <token>``: a cdFMC API token, which does not expire and cannot be renewed."""

    def __init__(self, token):
        self._token = token

    def __call__(self, request):
        request.headers['Authorization'] = 'Bearer %s' % self._token
        return request

    def __repr__(self):
        return '<TokenAuth>'

    @property
    def secrets(self):
        """Values that must never be shown."""
        return (self._token,)


class LoginCache:
    """The login shared by the forks of a run: a SharedState file per server, user and password.

    ``session(deadline, patience)`` yields the shared login (None when there is none) under the cache's lock, for
    one renewal; ``save(login)`` in the session shares another. A cache that cannot be used leaves a login of this
    process alone. The file name hashes the server, the user name and a keyed hash of the password (the key is
    random, kept in the private directory), so a wrong or changed password never reuses another's login. ``warn``
    is told once of each problem with the shared files.
    """

    def __init__(self, settings, directory=None, warn=None):
        self._directory = directory or private_directory()
        self._warn = warn
        self._warned = set()
        identity = '%s%s%s\0%s\0%s' % (
            settings.server, settings.base_path, settings.api_prefix, settings.username, self._password_tag(settings))
        key = hashlib.sha256(identity.encode('utf-8')).hexdigest()[:32]
        self._shared = SharedState(os.path.join(self._directory, 'login-%s.json' % key), self.warn_once,
                                   'the login cache', 'logs in on its own', _cache_problem)
        self.path, self.lock_path = self._shared.path, self._shared.lock_path
        self._held = None  # the state of the session in progress

    def warn_once(self, message):
        if message not in self._warned:
            self._warned.add(message)
            if self._warn is not None:
                self._warn(message)

    def _password_tag(self, settings):
        path = os.path.join(self._directory, 'login.key')
        key, problem = _read_key(path)
        if key is None:
            if problem:
                self.warn_once('cisco.cdfmc: the login cache key %s could not be used (%s) and has been replaced'
                               % (path, problem))
            key = self._new_key(path, replace=problem is not None)
        return hmac.new(key, settings.password.encode('utf-8'), hashlib.sha256).hexdigest()

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
            self.warn_once('cisco.cdfmc: %s; the login is not shared with other processes' % exc)
            return key
        finally:
            try:
                os.unlink(temporary)
            except OSError:
                pass
        found, _problem = _read_key(path)
        return found or key

    @contextlib.contextmanager
    def session(self, deadline=None, patience=LOCK_PATIENCE):
        """Yield the shared login (a copy; None when there is none) under the cache's lock, waited for ``patience``
        seconds at most and not past ``deadline``."""
        with self._shared.session(deadline, patience) as state:
            self._held = state
            try:
                yield dict(state) if state else None
            finally:
                self._held = None

    def save(self, login):
        """Share ``login`` (in a session) when the session ends."""
        self._held.clear()
        self._held.update(login)


def _read_key(path):
    """(key, problem): the key, or None and why the file cannot be used (None, None: there is none)."""
    key, problem = read_private(path, KEY_BYTES)
    if key is not None and len(key) != KEY_BYTES:
        return None, 'it does not hold a key'
    return key, problem


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


class FmcLoginAuth(Auth):
    """Adds ``X-auth-access-token`` and keeps it valid: refresh, then a new login, shared by processes.

    Tokens age by ``clock``'s wall clock (``now()``), as they do in every process. The login is shared through
    ``cache`` (by default the LoginCache of this host, in ``directory``): anything with its ``session`` and ``save``.
    """

    def __init__(self, settings, directory=None, clock=None, lifetime=ACCESS_TOKEN_LIFETIME, warn=None, cache=None):
        self._settings = settings
        self._now = (clock or SYSTEM_CLOCK).now
        self._lifetime = lifetime
        # Serialises renewals only. Readers never take it: a thread holding a request slot must not wait
        # on a renewal that itself waits for a slot.
        self._lock = threading.RLock()
        self._state = None  # replaced whole, never changed in place, so reading it needs no lock
        self._sent = threading.local()
        self.cache = cache if cache is not None else LoginCache(settings, directory, warn)

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
    def sent_token(self):
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

    def _still_valid(self, state, now):
        """True for a login obtained recently enough not to be renewed yet (and not from further in the future
        than another host's clock may be ahead)."""
        age = now - state['obtained'] if state else None
        return bool(state) and -CLOCK_SKEW <= age < self._lifetime - min(RENEW_MARGIN, self._lifetime / 6)

    def prepare(self, transport, deadline=None):
        """Make sure a token that is not about to expire is in use."""
        with self._lock:
            if self._still_valid(self._state, self._now()):
                return
            self._renew(transport, deadline, refused=None)

    def renew(self, transport, deadline=None, refused=None):
        """After a 401 with token ``refused``: get another one. True: the request is worth retrying."""
        with self._lock:
            self._renew(transport, deadline, refused)
        return True

    def _renew(self, transport, deadline, refused):
        # The lock is held across one refresh and one login, so it is waited for as long as those may take.
        patience = 2 * self._settings.request_timeout + LOCK_PATIENCE
        with self.cache.session(deadline, patience) as cached:
            state = self._renewed(transport, deadline, refused, cached)
            if state is not cached:
                self.cache.save(state)

    def _renewed(self, transport, deadline, refused, cached):
        """Make a fresh token the one in use and return its state: another fork's, a refreshed or a new one."""
        now = self._now()
        # Another fork (or thread) may have renewed already: take its token.
        for candidate in (cached, self._state):
            if candidate and candidate['access'] != refused and self._still_valid(candidate, now):
                self._state = candidate
                return candidate
        newest = max((s for s in (cached, self._state) if s), key=lambda s: s['obtained'], default=None)
        state = None
        if newest and newest['refreshes'] < MAX_REFRESHES and now - newest['obtained'] < self._lifetime:
            try:
                state = self._refresh(transport, newest, deadline)
            except CdfmcRequestError as exc:
                # Whatever went wrong with the refresh (refused, a 5xx, a bad answer), a new login may work.
                transport.log('the token refresh failed (%s); logging in again' % exc)
        if state is None:
            state = self._login(transport, deadline)
        self._state = state
        return state

    def _tokens(self, response, what):
        access = response.headers.get('X-auth-access-token')
        refresh = response.headers.get('X-auth-refresh-token')
        if not access or not refresh:
            raise CdfmcResponseError(
                'the %s answer of %s has no X-auth-access-token or X-auth-refresh-token header; is base_url an '
                'on-prem FMC?' % (what, self._settings.server), method='POST', path=response.path,
                status=response.status)
        return access, refresh

    def _login(self, transport, deadline):
        settings = self._settings
        try:
            # UTF-8, not the Latin-1 that requests would use for text (RFC 7617).
            response = transport.request('POST', LOGIN_PATH, deadline=deadline,
                                         auth=HTTPBasicAuth(settings.username.encode('utf-8'),
                                                            settings.password.encode('utf-8')))
        except CdfmcRequestError as exc:
            if exc.status in (401, 403):
                raise CdfmcRequestError('login as %s on %s failed (HTTP %d): check username and password (or '
                                        'CDFMC_USERNAME and CDFMC_PASSWORD)' % (settings.username, settings.server,
                                                                                exc.status),
                                        method='POST', path=exc.path, status=exc.status)
            raise
        access, refresh = self._tokens(response, 'login')
        try:
            domains = json_loads(response.headers.get('DOMAINS') or '[]')
        except ValueError:
            domains = []
        domains = [{'name': str(d.get('name')), 'uuid': str(d.get('uuid'))}
                   for d in domains if isinstance(d, dict) and d.get('uuid')] if isinstance(domains, list) else []
        return {'access': access, 'refresh': refresh, 'obtained': self._now(), 'refreshes': 0,
                'domain_uuid': response.headers.get('DOMAIN_UUID') or None, 'domains': domains}

    def _refresh(self, transport, state, deadline):
        response = transport.request(
            'POST', REFRESH_PATH, deadline=deadline, auth=NoAuth(),
            headers={'X-auth-access-token': state['access'], 'X-auth-refresh-token': state['refresh']})
        access, refresh = self._tokens(response, 'token refresh')
        return dict(state, access=access, refresh=refresh, obtained=self._now(), refreshes=state['refreshes'] + 1)
