# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The connection to a user's Redis (a shared store for hosts that share one FMC): its URL shown masked, its
faults as one exception, its keys named in one place, each operation one server-side Lua script.

redis-py is imported only when a store URL is used, so that modules and sanity run without it. A Redis slower
than 1 s to connect or to answer counts as a fault, and redis-py retries nothing: the caller decides (it goes on
with the store of its own host). An operation that is one round trip (its script run before, an open connection
free for it) and takes more than SLOW in all is a fault too, from the next operation on (its own answer is used).
The others, which open a connection or load a script (several round trips: a far Redis may take longer), are
not timed: a Redis that answers every read just within the timeout costs those and one slow operation, not one
slow request after another. No password reaches a message: redis-py's own texts are masked and escaped too.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import re
import threading

from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import SYSTEM_CLOCK
from ansible_collections.cisco.cdfmc.plugins.module_utils._display import MASK, masked, shown, url_secrets
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError
from ansible_collections.cisco.cdfmc.plugins.module_utils._statefile import SharedFileUnavailable, finite, private_directory, read_state, write_state

TIMEOUT = 1.0  # seconds to connect, and to read an answer: a Redis slower than this is a fault
SLOW = 0.5  # seconds for one operation in all: a Redis slower than this is a fault from its next operation on
RETRY = 60.0  # seconds on the host's own files before the shared store is tried again
PREFIX = 'cdfmc:'
# What a least-privileged Redis user needs: its keys, the scripts, and the commands the scripts call.
REDIS_ACL = ('~cdfmc:* resetchannels -@all +evalsha +eval +script|load +select '
             '+time +type +del +hmget +hset +pexpire +pttl +zadd +zrem +zcard +zremrangebyscore +get +set +strlen')
INSTALL = 'the Python library redis (redis-py) is not installed where the task runs; install it there (pip install redis)'

# The credentials of a URL: from "//" to the last "@" (a password may hold "@", "/", ":"); a password in the query.
_CREDENTIALS = re.compile(r'^(?P<scheme>[^:/]*://)(?P<user>[^:@]*)(?P<password>:.*)?@(?P<rest>[^@]*)$', re.DOTALL)
_QUERY_PASSWORD = re.compile(r'(?i)([?&](?:password|passwd|pass)=)[^&#]*')


class StoreUnavailable(SharedFileUnavailable):
    """The shared store cannot be used now: ``url`` (masked) and ``why`` (safe to show) say what and why."""

    def __init__(self, url, why):
        super(StoreUnavailable, self).__init__('the shared store %s cannot be used: %s' % (url, why))
        self.url, self.why = url, why


class Outage:
    """The shared store's faults as one run sees them, shared by the budget and the login cache: after a fault the
    store is left alone for ``retry`` seconds on ``clock``, then tried again; ``warn`` is told of the first fault
    only, naming the store as ``describe`` shows it. With ``path`` (a file of the private directory) the processes
    of a run that start later (its next tasks) learn of the fault from there, and leave the store alone too."""

    def __init__(self, describe, warn=None, retry=RETRY, clock=None, path=None):
        self.describe, self._path = describe, path
        self._warn, self._retry, self._clock = warn, retry, clock or SYSTEM_CLOCK
        self._lock = threading.Lock()  # the budget's threads and the login's renewal report here alike
        self._until, self._told, self._read = None, False, path is None

    def usable(self):
        """True unless a fault was met (here, or by an earlier process) less than ``retry`` seconds ago."""
        with self._lock:
            if not self._read:
                self._read = True
                self._learn()
            if self._until is not None and self._clock.monotonic() >= self._until:
                self._until = None
            return self._until is None

    def down(self, exc):
        """Leave the store alone for a while after ``exc`` (StoreUnavailable); say so the first time."""
        with self._lock:
            self._until = self._clock.monotonic() + self._retry
            told, self._told = self._told, True
            self._record()
        if not told and self._warn is not None:
            self._warn('cisco.cdfmc: the shared store %s cannot be used (%s); this run goes on with the request '
                       'budget and the login cache of this host (its files) and tries the shared store again in '
                       '%.0f s' % (self.describe, exc.why, self._retry))

    def _learn(self):
        """A fault an earlier process met: until when (wall clock) it leaves the store alone, if still to come."""
        state, _problem = read_state(self._path)
        left = finite((state or {}).get('until'), 0) - self._clock.now()
        if 0 < left <= self._retry:
            self._until, self._told = self._clock.monotonic() + left, True  # that process has told of it

    def _record(self):
        if self._path is not None:
            try:
                write_state(self._path, json.dumps({'until': self._clock.now() + self._retry}))
            except SharedFileUnavailable:
                pass  # the next process meets the fault itself


def outage_path(connection):
    """The file of the private directory where the processes of this user note a fault of ``connection``'s store."""
    name = hashlib.sha256(connection.shown.encode('utf-8')).hexdigest()[:32]
    return os.path.join(private_directory(), 'store-%s.down' % name)


def masked_url(url):
    """``url`` safe to show: its password, and anything after ``user:``, replaced by a mask; controls escaped."""
    text = str(url)
    match = _CREDENTIALS.match(text)
    if match:
        password = ':' + MASK if match.group('password') is not None else ''
        text = '%s%s%s@%s' % (match.group('scheme'), match.group('user'), password, match.group('rest'))
    elif '@' in text:
        text = masked(text)  # not the shape of a URL: every credential goes
    return shown(_QUERY_PASSWORD.sub(r'\g<1>' + MASK, text))


def key_name(server_key, name):
    """The key ``name`` of a server (its ``server_key``): one prefix, one hash tag per server (one Cluster slot)."""
    return '%s{%s}:%s' % (PREFIX, server_key, name)


def _redis_library():
    try:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry
    except ImportError:
        return None, None
    return redis, Retry(NoBackoff(), 0)


class RedisConnection:
    """The Redis at ``url`` (``redis://`` or ``rediss://``, with user, password and db) trusting the PEM CA
    ``ca_file`` for rediss; connected at its first use. ``run`` raises StoreUnavailable for any fault."""

    def __init__(self, url, ca_file=None):
        self.shown = masked_url(url)
        if not str(url).startswith(('redis://', 'rediss://')):
            raise CdfmcOptionError('the shared store %s is not a redis:// or rediss:// URL' % self.shown)
        self._url, self._ca_file = url, ca_file
        self._client, self._scripts, self._slow, self._timed = None, {}, None, set()
        self._lock = threading.Lock()  # one client and one registration of each script, whichever thread comes first

    def __repr__(self):
        return '<RedisConnection %s>' % self.shown

    def run(self, source, keys, args, release=False):
        """The answer of the Lua script ``source`` for ``keys`` and ``args`` (loaded again if Redis lost it). After an
        answer that took more than SLOW, the next call that is not a ``release`` (of what an earlier call took, always
        sent) raises StoreUnavailable without asking Redis. A call that may load its script or open a connection is
        not timed."""
        with self._lock:
            slow = None if release else self._slow
            self._slow = self._slow if release else None
        if slow is not None:
            raise StoreUnavailable(self.shown, 'too slow: an operation took %.1f s (more than %.1f s)' % (slow, SLOW))
        try:
            script = self._script(source)
            timed = source in self._timed and self._idle()
            started = SYSTEM_CLOCK.monotonic()
            answer = script(keys=keys, args=args)
        except StoreUnavailable:
            raise
        except Exception as exc:  # redis-py's faults, and what a broken connection raises under it
            raise StoreUnavailable(self.shown, self._why(exc))
        took = SYSTEM_CLOCK.monotonic() - started
        with self._lock:
            self._timed.add(source)  # once it has run: loaded in Redis
            if timed and took > SLOW:
                self._slow = took
        return answer

    def _idle(self):
        """True when the client has an open connection free (an operation then opens none); False if not known."""
        pool = getattr(self._client, 'connection_pool', None)
        return bool(getattr(pool, '_available_connections', None))

    def _script(self, source):
        with self._lock:
            if self._client is None:
                self._client = self._connect()
            if source not in self._scripts:
                self._scripts[source] = self._client.register_script(source)
            return self._scripts[source]

    def _connect(self):
        redis, no_retry = _redis_library()
        if redis is None:
            raise StoreUnavailable(self.shown, INSTALL)
        options = dict(socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT, retry=no_retry, decode_responses=True,
                       health_check_interval=0)
        if self._url.startswith('rediss://'):
            options.update(ssl_ca_certs=self._ca_file, ssl_cert_reqs='required', ssl_check_hostname=True)
        return redis.Redis.from_url(self._url, **options)

    def _why(self, exc):
        """What went wrong, in words, then redis-py's own text masked and escaped."""
        name = type(exc).__name__
        text = str(exc)
        if 'WRONGPASS' in text or name.startswith('Authentication'):
            cause = 'authentication refused (check the user and password of the URL)'
        elif 'NOPERM' in text or name == 'NoPermissionError' or "can't run this command" in text or 'No permissions' in text:
            cause = 'the ACL refused a command or key (the user needs: %s)' % REDIS_ACL
        elif 'SSL' in text or 'certificate' in text.lower() or name.startswith('SSL'):
            cause = 'TLS failure (check the CA file and the host name)'
        elif 'Timeout' in name or 'timed out' in text.lower():
            cause = 'no answer within %.0f s (timeout)' % TIMEOUT
        elif 'refused' in text.lower():
            cause = 'connection refused'
        elif name in ('ConnectionError', 'BusyLoadingError') or isinstance(exc, OSError):
            cause = 'connection failed'
        else:
            cause = 'an answer that cannot be used'
        return '%s: %s: %s' % (cause, name, shown(self._masked(text), 300))

    def _masked(self, text):
        return masked(text.replace(self._url, self.shown), url_secrets(self._url)[1:])
