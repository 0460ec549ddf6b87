# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The on-prem login shared in a Redis (hosts, or AWX jobs in separate containers, that log in to one FMC as one
user), with the interface of the file cache ``_auth.LoginCache``: one login, renewed once, under one lock.

Per server, user and password, two keys under the server's hash tag: ``cdfmc:{<server key>}:login:<id>`` (the
login, encrypted) and ``...:login:<id>:lock`` (a random token, taken with SET NX PX, deleted by its holder only).
A key of 64 bytes is derived from the password (PBKDF2, salted with the server and the user name): one half is the
AES-256-GCM key of the login, the other keys the HMAC that makes ``<id>``. So nothing secret is in a key name or in
clear in a value, and a wrong or changed password names another entry. Every key has an expiry: what a holder that
died or was stopped left goes by itself. When Redis cannot be used (or the library cryptography is missing), the
run goes on with the file cache of its host, with one warning, and tries Redis again a minute later.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import math
import os
import threading

from ansible_collections.cisco.cdfmc.plugins.module_utils._auth import (
    ACCESS_TOKEN_LIFETIME, MAX_REFRESHES, LoginCache, _cache_problem)
from ansible_collections.cisco.cdfmc.plugins.module_utils._budget import server_key
from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import Deadline
from ansible_collections.cisco.cdfmc.plugins.module_utils._display import shown
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcRequestError
from ansible_collections.cisco.cdfmc.plugins.module_utils._json import loads as json_loads
from ansible_collections.cisco.cdfmc.plugins.module_utils._redis import Outage, RedisConnection, StoreUnavailable, key_name
from ansible_collections.cisco.cdfmc.plugins.module_utils._statefile import LOCK_PATIENCE, MAX_STATE_BYTES

LOCK_MARGIN = 1.0  # the lock outlives its holder's patience by this much (the round trips of its release)
KEEP = (MAX_REFRESHES + 1) * ACCESS_TOKEN_LIFETIME  # a login is of no use longer: one life, then one per refresh
ITERATIONS = 100000
NONCE_BYTES = 12
CRYPTOGRAPHY = ('the Python library cryptography is not installed where the task runs; install it there '
                '(pip install cryptography)')
_FIRST_STEP = 0.002
_LONGEST_STEP = 0.1

# Take the lock (a lock with no expiry was not written by cisco.cdfmc: it goes) and read the login under it: a value
# that is not base64 text is not given (redis-py could not decode it, and the lock would stay taken), only named.
_TAKE = '''
local replaced = 0
if redis.call('PTTL', KEYS[2]) == -1 then
  redis.call('DEL', KEYS[2])
  replaced = 1
end
if not redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {0, '', 'none', replaced} end
local kind = redis.call('TYPE', KEYS[1])['ok']
if kind ~= 'string' then return {1, '', kind, replaced} end
if redis.call('STRLEN', KEYS[1]) > tonumber(ARGV[3]) then return {1, '', 'large', replaced} end
local value = redis.call('GET', KEYS[1])
if string.find(value, '[^A-Za-z0-9+/=]') then return {1, '', 'garbled', replaced} end
return {1, value, kind, replaced}
'''

# Unless another holds the lock now (this holder's went by its expiry, and what the other writes is newer): write
# the login (if any), and free the lock if it is still this holder's.
_GIVE_BACK = '''
local lock = redis.call('TYPE', KEYS[2])['ok'] == 'string' and redis.call('GET', KEYS[2])
if lock and lock ~= ARGV[1] then return 0 end
if ARGV[2] ~= '' then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
if lock then redis.call('DEL', KEYS[2]) end
return 0
'''


class CipherUnavailable(StoreUnavailable):
    """The login cannot be shared from this host (no cryptography): a fault of this host, not of the store."""


def _aead():
    """(AESGCM, InvalidTag) of the library cryptography, or None when it is not installed."""
    try:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    except ImportError:
        return None
    return AESGCM, InvalidTag


class Held:
    """One session's hold on the shared login: the lock's ``token`` (None: the lock stayed taken), the ``login``
    found (None: none, or one that cannot be used, for ``problem``), whether a lock not written by cisco.cdfmc was
    ``replaced``, and the login ``saved`` to share at its end."""

    def __init__(self, token, login=None, problem=None):
        self.token, self.login, self.problem = token, login, problem
        self.replaced, self.saved = False, None


class RedisLogin:
    """The login of ``settings``' user on its server in Redis through ``connection`` (RedisConnection): ``take`` the
    lock and the login under it, ``give_back`` the lock with a login to share. Raises StoreUnavailable."""

    def __init__(self, connection, settings):
        self.connection = connection
        identity = ('%s%s%s\0%s' % (settings.server, settings.base_path, settings.api_prefix,
                                    settings.username)).encode('utf-8')
        derived = hashlib.pbkdf2_hmac('sha256', settings.password.encode('utf-8'), b'cisco.cdfmc login\0' + identity,
                                      ITERATIONS, dklen=64)
        self._key = derived[:32]
        name = hmac.new(derived[32:], identity, hashlib.sha256).hexdigest()[:32]
        self.entry = key_name(server_key(settings.server), 'login:' + name)
        self.lock = self.entry + ':lock'

    def __repr__(self):
        return '<RedisLogin %s>' % self.connection.shown

    def take(self, deadline, patience):
        """A Held: the lock, waited for ``patience`` seconds at most (then a Held without a token) and not past
        ``deadline`` (then CdfmcRequestError), and the login under it."""
        cipher, refused = self._cipher()
        token = binascii.hexlify(os.urandom(16)).decode('ascii')
        hold = str(int(math.ceil((patience + LOCK_MARGIN) * 1000)))
        give_up = (deadline or Deadline()).within(patience)
        step = _FIRST_STEP
        while True:
            taken, value, kind, replaced = self._run(_TAKE, [token, hold, str(MAX_STATE_BYTES)], _taken)
            if taken:
                held = Held(token, *self._opened(cipher, refused, value, kind))
                held.replaced = replaced
                return held
            if give_up.expired:
                if deadline is not None and deadline.expired:
                    raise CdfmcRequestError("the deadline came before the login cache's lock was free (the shared "
                                            'store %s)' % self.connection.shown)
                return Held(None)
            if give_up.sleep(step):
                raise CdfmcRequestError("interrupted while waiting for the login cache's lock in the shared store "
                                        '%s' % self.connection.shown)
            step = min(step * 2, _LONGEST_STEP)

    def give_back(self, held):
        """Share ``held.saved`` (if any) and free the lock if it is still ``held``'s."""
        value = self._sealed(self._cipher()[0], held.saved) if held.saved else ''
        self._run(_GIVE_BACK, [held.token, value, str(int(KEEP * 1000))], _done, release=True)

    def _run(self, source, args, parse, release=False):
        answer = self.connection.run(source, [self.entry, self.lock], args, release)
        try:
            return parse(answer)
        except (TypeError, ValueError, IndexError):
            raise StoreUnavailable(self.connection.shown, 'an answer that cannot be used: %s' % shown(repr(answer), 200))

    def _cipher(self):
        """(AESGCM with this user's key, the exception it raises for a value it cannot decrypt)."""
        found = _aead()
        if found is None:
            raise CipherUnavailable(self.connection.shown, CRYPTOGRAPHY)
        return found[0](self._key), found[1]

    def _sealed(self, cipher, login):
        """``login`` encrypted and authenticated with the key name: base64 of the nonce and the ciphertext."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = cipher.encrypt(nonce, json.dumps(login).encode('utf-8'), self.entry.encode('utf-8'))
        return base64.b64encode(nonce + sealed).decode('ascii')

    def _opened(self, cipher, refused, value, kind):
        """(login, problem): the login ``value`` holds (None when there is none or it cannot be used), and why not."""
        if kind == 'none':
            return None, None
        if kind == 'large':
            return None, 'it holds more than %d bytes' % MAX_STATE_BYTES
        if kind == 'garbled':
            return None, 'it is not base64 text'
        if kind != 'string':
            return None, 'it holds a %s' % shown(kind, 20)
        try:
            raw = base64.b64decode(value, validate=True)
            text = cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], self.entry.encode('utf-8'))
        except (ValueError, refused):
            return None, 'it cannot be decrypted with the key of this user'
        try:
            login = json_loads(text)
        except ValueError:
            return None, 'it is not JSON'
        problem = _cache_problem(login) if isinstance(login, dict) else 'not a JSON object'
        return (None, problem) if problem else (login, None)


def _taken(answer):
    return int(answer[0]) == 1, answer[1], str(answer[2]), int(answer[3]) == 1


def _done(answer):
    return int(answer)


class RedisLoginCache:
    """The interface of LoginCache (``session``, ``save``, ``warn_once``) over ``shared`` (a RedisLogin); after it
    raises StoreUnavailable, ``fallback`` (this host's LoginCache) for as long as ``outage`` (an Outage, which says
    so once) leaves Redis alone. ``warn`` is told once of each other problem. A lock that stays taken for the patience leaves the session
    with the login of this process's own (one warning), and Redis is tried again at the next session."""

    def __init__(self, shared, fallback, outage, warn=None):
        self.shared, self.fallback, self.outage, self._warn = shared, fallback, outage, warn
        self._warned = set()
        self._thread_lock = threading.Lock()  # one session at a time: the session in progress is this object's
        self._held = None  # the Held of the session in progress (None: a session of the fallback)
        self._own = None  # the login of the sessions whose lock stayed taken

    def warn_once(self, message):
        if message not in self._warned:
            self._warned.add(message)
            if self._warn is not None:
                self._warn(message)

    @contextlib.contextmanager
    def session(self, deadline=None, patience=LOCK_PATIENCE):
        """As LoginCache.session: the login in Redis, or in this host's file while Redis cannot be used."""
        with self._thread_lock:
            held = self._take(deadline, patience)
            if held is None:
                with self.fallback.session(deadline, patience) as cached:
                    yield cached
                return
            self._held, ended = held, False
            try:
                yield dict(held.login) if held.login else None
                ended = True
            finally:
                self._held = None
                self._give_back(held, ended)

    def save(self, login):
        """Share ``login`` (in a session) when the session ends."""
        if self._held is None:
            self.fallback.save(login)
        else:
            self._held.saved = dict(login)

    def _take(self, deadline, patience):
        """The session's Held in Redis, or None: the fallback's session."""
        if not self.outage.usable():
            return None
        try:
            held = self.shared.take(deadline, patience)
        except CipherUnavailable as exc:  # the store is fine: the budget goes on sharing it
            self.warn_once('cisco.cdfmc: the login is not shared through the shared store %s (%s); it is kept in the '
                           'login cache of this host (its files)' % (self.shared.connection.shown, exc.why))
            return None
        except StoreUnavailable as exc:
            self.outage.down(exc)
            return None
        if held.replaced:
            self.warn_once("cisco.cdfmc: the login cache's lock in the shared store %s had no expiry, so was not "
                           'written by cisco.cdfmc, and has been replaced' % self.shared.connection.shown)
        if held.token is None:
            held.login = self._own
            self.warn_once("cisco.cdfmc: the login cache's lock in the shared store %s stayed taken for %.1f s; this "
                           'process logs in on its own. If this lasts, look for a job stopped while it renewed the '
                           'login' % (self.shared.connection.shown, patience))
        return held

    def _give_back(self, held, ended):
        if not ended:
            held.saved = None  # a block that raised shares nothing
        if held.token is None:
            self._own = held.saved or self._own  # not this process's lock: the login stays its own
            return
        try:
            self.shared.give_back(held)
        except StoreUnavailable as exc:
            self.outage.down(exc)  # the login stays this process's; the lock goes by its expiry
            return
        if held.saved and held.problem:
            self.warn_once('cisco.cdfmc: the login cache in the shared store %s was not written by cisco.cdfmc for '
                           'this user (%s) and has been replaced' % (self.shared.connection.shown, held.problem))


def redis_login_cache(settings, directory=None, clock=None, warn=None, connection=None, outage=None):
    """The login cache of ``settings`` (a login) in the Redis of ``settings.budget_url`` (or ``connection``, a
    RedisConnection to it), falling back to the file cache of this host (in ``directory``) while ``outage`` (by
    default one of its own on ``clock``, retried after a minute) leaves Redis alone."""
    connection = connection or RedisConnection(settings.budget_url, settings.budget_ca_file)
    outage = outage or Outage(connection.shown, warn, clock=clock)
    fallback = LoginCache(settings, directory, warn)
    return RedisLoginCache(RedisLogin(connection, settings), fallback, outage, warn)
