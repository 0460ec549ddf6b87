# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The request budget's state in a shared Redis (hosts, or AWX jobs in separate containers, that share one FMC),
with the same meaning as the file store of ``_budget``: each operation one Lua script, so atomic in Redis, on
Redis's own clock (``TIME``). Keys, per server: ``cdfmc:{<server key>}:pace`` (a hash: tat, held, count, when)
and ``cdfmc:{<server key>}:slots`` (a sorted set: token -> bound); each with an expiry, so that what a dead holder
left goes by itself. ``FallbackStore`` keeps a run going when Redis cannot be used: one warning, then the file
store of this host until Redis is tried again.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import binascii
import os

from ansible_collections.cisco.cdfmc.plugins.module_utils._budget import (
    AHEAD, RATE_SPAN, WINDOW, FileStore, _decayed, server_key)
from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import SYSTEM_CLOCK
from ansible_collections.cisco.cdfmc.plugins.module_utils._display import shown
from ansible_collections.cisco.cdfmc.plugins.module_utils._redis import Outage, StoreUnavailable, key_name
from ansible_collections.cisco.cdfmc.plugins.module_utils._statefile import private_directory

LONGEST_SLOT = 86400.0  # no request holds a slot longer: a bound further on was not written by a request
KEEP = WINDOW + RATE_SPAN  # the pace outlives its tat and hold by this much (the window, the recent rate)
# No time of the pace that a budget writes lies further ahead (a hold of AHEAD, the burst's tolerance and one
# interval are each less than AHEAD + WINDOW): a time beyond it was written by something else.
FAR = 2 * (AHEAD + WINDOW)

# Shared by every script: the time (ARGV[1], or Redis's own), numbers written as text, the pace as found.
_COMMON = '''
local function clock()
  if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
  local t = redis.call('TIME')
  return tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local function text(x) return string.format('%%.17g', x) end
local function finite(x) return x ~= nil and x == x and x ~= math.huge and x ~= -math.huge end
local function pace(key, now)
  local kind = redis.call('TYPE', key)['ok']
  if kind == 'none' then return false, false, 0, now, 0 end
  if kind ~= 'hash' then redis.call('DEL', key) return false, false, 0, now, 1 end
  local found, values, bad = redis.call('HMGET', key, 'tat', 'held', 'count', 'when'), {}, 0
  for i = 1, 4 do
    values[i] = found[i] and tonumber(found[i])
    if found[i] and not (finite(values[i]) and (i == 3 or values[i] <= now + %(far)r)) then bad, values[i] = 1, false end
  end
  if bad == 1 then redis.call('DEL', key) return false, false, 0, now, 1 end
  return values[1], values[2], values[3] or 0, values[4] or now, 0
end
local function save(key, now, tat, held, count, when)
  local fields, last = {'tat', text(tat), 'count', text(count), 'when', text(when)}, tat
  if held then
    fields[7], fields[8], last = 'held', text(held), math.max(tat, held)
  end
  redis.call('HSET', key, unpack(fields))
  redis.call('PEXPIRE', key, math.ceil((math.min(math.max(last, now), now + %(far)r) - now + %(keep)r) * 1000))
end
''' % dict(keep=KEEP, far=FAR)

_RESERVE = _COMMON + '''
local now, interval, tolerance, reach = clock(), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local tat, held, count, when, bad = pace(KEYS[1], now)
tat = math.min(tat or now, now + tolerance + %(ahead)r)
local wait = math.max(0, tat - tolerance - now)
count = math.min(math.max(0, count), 1e6) * math.exp(-math.max(0, now - when) / %(span)r)
if wait <= reach then
  tat, count = math.max(tat, now) + interval, count + 1
end
save(KEYS[1], now, tat, held, count, now)
return {text(wait), (held and held > now) and 1 or 0, text(count), bad}
''' % dict(ahead=AHEAD, span=RATE_SPAN)

_HOLD = _COMMON + '''
local now, seconds, tolerance = clock(), tonumber(ARGV[2]), tonumber(ARGV[3])
local tat, held, count, when, bad = pace(KEYS[1], now)
save(KEYS[1], now, math.max(tat or now, now + seconds + tolerance), now + seconds, count, when)
return bad
'''

_TAKE = _COMMON + '''
local now, seconds, cap, key, bad = clock(), tonumber(ARGV[2]), tonumber(ARGV[3]), KEYS[1], 0
local kind = redis.call('TYPE', key)['ok']
if kind ~= 'none' and kind ~= 'zset' then
  redis.call('DEL', key)
  bad = 1
end
redis.call('ZREMRANGEBYSCORE', key, '-inf', text(now))
redis.call('ZREMRANGEBYSCORE', key, '(' .. text(now + %(longest)r), '+inf')
if redis.call('ZCARD', key) >= cap then return {'', bad} end
redis.call('ZADD', key, text(now + seconds), ARGV[4])
local bound = math.ceil(seconds * 1000)
if redis.call('PTTL', key) < bound then redis.call('PEXPIRE', key, bound) end
return {ARGV[4], bad}
''' % dict(longest=LONGEST_SLOT)

_FREE = '''
if redis.call('TYPE', KEYS[1])['ok'] == 'zset' then redis.call('ZREM', KEYS[1], ARGV[2]) end
return 0
'''


class RedisStore:
    """The budget's store (see ``_budget``) in Redis through ``connection`` (RedisConnection) for the server named
    ``key`` (server_key). The clock is Redis's ``TIME``, or ``now()`` seconds when given (a test's fake clock).
    ``warn`` is told once when a key written by something else is replaced. Raises StoreUnavailable."""

    def __init__(self, connection, key, now=None, warn=None):
        self.connection = connection
        self._pace, self._slots = key_name(key, 'pace'), key_name(key, 'slots')
        self._now, self._warn = now, warn
        self._local = now or SYSTEM_CLOCK.monotonic  # the clock the recent rate decays on in this process
        self._rate, self._replaced = None, False

    def reserve(self, deadline, interval, tolerance, reach):
        """(wait, held): as FileStore.reserve."""
        wait, held, count = self._run(_RESERVE, self._pace, [interval, tolerance, reach], _reserved)
        self._rate = [count, self._local()]
        return wait, held

    def hold(self, deadline, seconds, tolerance):
        self._run(_HOLD, self._pace, [seconds, tolerance], _done)

    def take_slot(self, deadline, seconds, cap):
        """A slot's token (random, unique across hosts), or None when ``cap`` slots are taken."""
        token = binascii.hexlify(os.urandom(16)).decode('ascii')
        return self._run(_TAKE, self._slots, [seconds, int(cap), token], _taken)

    def free_slot(self, deadline, slot):
        self._run(_FREE, self._slots, [slot], _done, release=True)

    def load(self):
        """The recent starts (decaying over RATE_SPAN) as this process last saw them."""
        return _decayed(self._rate, self._local())

    def _run(self, source, key, values, parse, release=False):
        """What ``parse`` makes of the script's answer (and whether a key written by something else was replaced)."""
        now = repr(float(self._now())) if self._now is not None else ''
        args = [now] + [value if isinstance(value, str) else repr(float(value)) for value in values]
        answer = self.connection.run(source, [key], args, release)
        try:
            result, replaced = parse(answer)
        except (TypeError, ValueError, IndexError, KeyError):
            raise StoreUnavailable(self.connection.shown, 'an answer that cannot be used: %s' % shown(repr(answer), 200))
        if replaced and not self._replaced and self._warn is not None:
            self._replaced = True
            self._warn('cisco.cdfmc: the request budget state in the shared store %s (key %s) was not written by '
                       'cisco.cdfmc and has been replaced' % (self.connection.shown, key))
        return result


def _reserved(answer):
    return (float(answer[0]), int(answer[1]) == 1, float(answer[2])), int(answer[3])


def _taken(answer):
    return (answer[0] or None), int(answer[1])


def _done(answer):
    return None, int(answer)


class FallbackStore:
    """Every operation in ``primary`` (the shared store); after it raises StoreUnavailable, ``fallback`` (this
    host's store) for as long as ``outage`` (an Outage, which says so once) leaves the shared store alone. A slot is
    freed in the store that gave it."""

    def __init__(self, primary, fallback, outage):
        self.primary, self.fallback, self.outage = primary, fallback, outage

    def reserve(self, deadline, interval, tolerance, reach):
        return self._apply('reserve', deadline, interval, tolerance, reach)[1]

    def hold(self, deadline, seconds, tolerance):
        self._apply('hold', deadline, seconds, tolerance)

    def take_slot(self, deadline, seconds, cap):
        store, token = self._apply('take_slot', deadline, seconds, cap)
        return None if token is None else (store, token)

    def free_slot(self, deadline, slot):
        store, token = slot
        try:
            store.free_slot(deadline, token)
        except StoreUnavailable as exc:
            self.outage.down(exc)  # the slot goes by its bound

    def load(self):
        return (self.primary if self.outage.usable() else self.fallback).load()

    def _apply(self, operation, *args):
        """(the store that answered, its answer): the primary, or the fallback while the primary is left alone."""
        if self.outage.usable():
            try:
                return self.primary, getattr(self.primary, operation)(*args)
            except StoreUnavailable as exc:
                self.outage.down(exc)
        return self.fallback, getattr(self.fallback, operation)(*args)


def redis_store(connection, server, directory=None, clock=None, warn=None, outage=None):
    """The budget's store for ``server`` in the Redis of ``connection`` (a RedisConnection), falling back to the
    file store of this host (in ``directory``, on ``clock``) while ``outage`` (by default one of its own, retried
    after a minute) leaves Redis alone."""
    clock = clock or SYSTEM_CLOCK
    outage = outage or Outage(connection.shown, warn, clock=clock)
    name = server_key(server)
    fallback = FileStore(directory or private_directory(), name, clock, warn)
    return FallbackStore(RedisStore(connection, name, warn=warn), fallback, outage)
