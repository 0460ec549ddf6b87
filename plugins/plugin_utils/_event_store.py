# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the fmc_events source keeps what it has seen (an EventState as JSON) across restarts: the shared Redis of
``budget_url`` (key ``cdfmc:{<server key>}:events:<name key>``, a string that expires EXPIRY after its last write),
else a private file in ``state_dir`` (through SharedState), else nowhere (this run's memory). While the store
cannot be used, this run's memory takes its place, with one warning per outage; each load and save tries it again.
A load that cannot read what was kept raises StateUnavailable: the source then writes nothing over it until it
has read it.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os

from ansible_collections.cisco.cdfmc.plugins.module_utils._budget import server_key
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcError
from ansible_collections.cisco.cdfmc.plugins.module_utils._json import loads as json_loads
from ansible_collections.cisco.cdfmc.plugins.module_utils._redis import RedisConnection, StoreUnavailable, key_name
from ansible_collections.cisco.cdfmc.plugins.module_utils._statefile import SharedState
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._events import HORIZON, MARGIN, SOURCE

# What is seen outlives the longest window the source reads (ms): a source stopped longer starts afresh.
EXPIRY = HORIZON + MARGIN
# What the source writes is ASCII JSON: another value (which redis-py could not even decode) is taken as none.
_LOAD = ("if redis.call('TYPE', KEYS[1])['ok'] ~= 'string' then return false end "
         "local value = redis.call('GET', KEYS[1]) "
         "if string.find(value, '[\\128-\\255]') then return false end return value")
_SAVE = "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 0"


class StateUnavailable(CdfmcError):
    """What the source has seen cannot be read now (the store says why, once)."""


def name_key(name):
    """The key of a source's ``name``: a hash, as the server's is (``_budget.server_key``)."""
    return hashlib.sha256(name.encode('utf-8')).hexdigest()[:16]


class MemoryStore:
    """Nothing kept across runs."""

    describe = 'this run\'s memory'

    def load(self, deadline):
        return None

    def save(self, data, deadline):
        pass


class FileStore:
    """A private JSON file in ``directory`` (checked by the source's options), shared under its lock. A load or
    save that fails (the lock held past the deadline, the directory gone) is told once per outage: a load raises
    StateUnavailable, and what has been seen is this run's memory until the file can be used again."""

    def __init__(self, directory, key, warn=None):
        self.describe = os.path.join(directory, 'cdfmc-events-%s.json' % key)
        self._warn, self.down = warn, False
        self._state = SharedState(self.describe, warn=warn, what='the fmc_events state',
                                  alone='keeps what it has seen in memory only')

    def load(self, deadline):
        try:
            return self._up(self._state.apply(deadline, dict))
        except (CdfmcError, OSError) as exc:
            self._down(exc)
            raise StateUnavailable(str(exc))

    def save(self, data, deadline):
        def replace(state):
            state.clear()
            state.update(data)
        try:
            self._up(self._state.apply(deadline, replace))
        except (CdfmcError, OSError) as exc:
            self._down(exc)

    def _up(self, answer):
        self.down = False
        return answer

    def _down(self, exc):
        if not self.down and self._warn is not None:
            self._warn('%s: %s cannot be used (%s); what has been seen is kept in this run\'s memory until it can'
                       % (SOURCE, self.describe, exc))
        self.down = True


class RedisStore:
    """A string in the Redis of ``connection`` (RedisConnection): the JSON of the state. Raises StoreUnavailable."""

    def __init__(self, connection, server, name):
        self.connection, self.key = connection, key_name(server, 'events:%s' % name)
        self.describe = connection.shown

    def load(self, deadline):
        text = self.connection.run(_LOAD, [self.key], [])
        if text is None:
            return None
        try:
            return json_loads(text)
        except ValueError:
            return None  # not written by this source: taken as nothing seen, and replaced at the next save

    def save(self, data, deadline):
        self.connection.run(_SAVE, [self.key], [json.dumps(data, sort_keys=True), int(EXPIRY)])


class TellingStore:
    """``primary`` (Redis) with its outages told, once each: what has been seen is then this run's memory alone (a
    load raises StateUnavailable, a save is lost) until it can be used again."""

    def __init__(self, primary, warn=None):
        self.primary, self._warn, self.down = primary, warn, False
        self.describe = primary.describe

    def load(self, deadline):
        try:
            return self._up(self.primary.load(deadline))
        except StoreUnavailable as exc:
            self._down(exc)
            raise StateUnavailable(exc.why)

    def save(self, data, deadline):
        try:
            self._up(self.primary.save(data, deadline))
        except StoreUnavailable as exc:
            self._down(exc)

    def _up(self, answer):
        if self.down and self._warn is not None:
            self._warn('%s: the shared store %s is used again' % (SOURCE, self.describe))
        self.down = False
        return answer

    def _down(self, exc):
        if not self.down and self._warn is not None:
            self._warn('%s: the shared store %s cannot be used (%s); what has been seen is kept in this run\'s '
                       'memory until it can' % (SOURCE, self.describe, exc.why))
        self.down = True


def event_store(settings, state_dir, name, warn=None):
    """The store of one source: Redis when ``settings.budget_url`` is set (``state_dir`` is then not used: a file of
    one node is not what an activation restarted on another finds), else the file of ``state_dir``, else memory."""
    server, key = server_key(settings.server), name_key(name)
    if settings.budget_url:
        connection = RedisConnection(settings.budget_url, settings.budget_ca_file)
        return TellingStore(RedisStore(connection, server, key), warn)
    return FileStore(state_dir, '%s-%s' % (server, key), warn) if state_dir else MemoryStore()
