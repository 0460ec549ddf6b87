# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fmc_events source at work: its arguments, one poll (blocking, through the collection's client and its
request budget), and the asyncio loop that ansible-rulebook runs (``run(queue, args)``).

Each poll reads job history once (the jobs started in the window of ``EventState.window``), and once more for the
deployments deploying now, however long ago they started: on the first poll of a run, on every poll while a job is
followed, and at least every DEPLOYING_EVERY; and the deployable list when ``pending`` is asked for; only then is
the state changed, so a poll that fails changes nothing and the next one reads it all again. The events are put on
the queue, then what has been seen is saved (so a crash between the two puts them again after a restart: at least
once). A poll that fails is told once per
outage, and once when the server answers again; the loop never returns on its own. Cancelling it sets the stop
that every wait of the client obeys, and it returns.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It is controller-only (Event-Driven Ansible).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import asyncio
import concurrent.futures
import json
import logging
import os
import threading

from ansible_collections.cisco.cdfmc.plugins.module_utils._client import connect
from ansible_collections.cisco.cdfmc.plugins.module_utils._connection_spec import connection_argument_spec
from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import SYSTEM_CLOCK, Deadline
from ansible_collections.cisco.cdfmc.plugins.module_utils._display import shown, unexpected
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcError, CdfmcOptionError
from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import StatusMapper
from ansible_collections.cisco.cdfmc.plugins.module_utils._options import OptionAdapter
from ansible_collections.cisco.cdfmc.plugins.module_utils._retry import call_bound
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._deploy_api import (
    DEPLOYING_JOBS, JOBS_PATH, read_deployable)
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._event_store import StateUnavailable, event_store
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._events import (
    DEPLOYMENT_KIND, KINDS, PENDING_KIND, SOURCE, EventState)
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._jobs import now_ms, read_job, window_filter

LOGGER = logging.getLogger(SOURCE)
# What is seen is saved at least this often (ms) even when only the time of the last poll changed.
SAVE_EVERY = 60 * 1000
# After a cancel, how long the poll or save under way is given to end (its waits end at once on the stop).
CANCEL_GRACE = 2.0
# The deployments deploying now are read at least this often (ms): a job that the window read does not list while it
# runs, and that runs longer than the window's margin, is still followed.
DEPLOYING_EVERY = 30 * 60 * 1000


def argument_spec():
    """The source's arguments: the connection options, and its own."""
    spec = connection_argument_spec()
    spec.update(
        poll_interval=dict(type='float', default=15.0),
        kinds=dict(type='list', elements='str', choices=list(KINDS), default=[DEPLOYMENT_KIND]),
        pending_older_than=dict(type='float', default=900.0),
        state_dir=dict(type='path'),
        state_name=dict(type='str', default='default'),
        status_map=dict(type='dict'),
    )
    return spec


def read_options(args):
    """The checked arguments (an OptionAdapter); CdfmcOptionError, secrets masked, names the first problem."""
    options = OptionAdapter.from_arguments(args or {}, argument_spec(), name=SOURCE)
    if options['poll_interval'] < 0.1:
        raise CdfmcOptionError('%s: poll_interval must be 0.1 s or more, got %s' % (SOURCE, options['poll_interval']))
    if options['pending_older_than'] < 0:
        raise CdfmcOptionError('%s: pending_older_than must be 0 or more seconds' % SOURCE)
    if not options['kinds']:
        raise CdfmcOptionError('%s: kinds must name at least one of %s' % (SOURCE, ', '.join(KINDS)))
    StatusMapper(options['status_map'])  # checked now, not at the first poll
    options.connection()
    if options['state_dir']:
        _check_state_dir(options['state_dir'])
    return options


def _check_state_dir(path):
    """Make ``path`` (private) when it is missing; CdfmcOptionError when it cannot be made or written to."""
    try:
        os.makedirs(path, 0o700, exist_ok=True)
    except OSError as exc:
        raise CdfmcOptionError('%s: state_dir %s cannot be made a directory: %s' % (SOURCE, shown(path), exc.strerror))
    if not os.access(path, os.W_OK | os.X_OK):
        raise CdfmcOptionError('%s: state_dir %s is not writable by this user' % (SOURCE, shown(path)))


class Poller:
    """One FMC polled for events: the client, the store of what has been seen, and the state (blocking calls)."""

    def __init__(self, options, stop, clock=None):
        self.options, self.stop, self.clock = options, stop, clock or SYSTEM_CLOCK
        settings = options.connection()
        self.bound = call_bound(settings.max_retries, settings.request_timeout)
        self.mapper = StatusMapper(options['status_map'], warn=self.warn)
        self.client = connect(settings, warn=self.warn, log=LOGGER.debug, notice=LOGGER.debug, clock=self.clock)
        self.store = event_store(settings, options['state_dir'], options['state_name'], warn=self.warn)
        self.state, self.saved, self.deploying_ms, self.loaded = None, None, None, False

    def warn(self, text):
        LOGGER.warning(shown(self.options.masked(text), 2000))

    def deadline(self):
        return Deadline(self.bound, self.clock, self.stop)

    def start(self):
        """Load what has been seen. A store that cannot give it says so (once): the source starts afresh in memory,
        writes nothing over what it keeps, and reads it again at each poll (``load``)."""
        self.state = EventState(None, now_ms(self.clock), warn=self.warn)
        self.saved = self.state.data()
        self.load()

    def load(self):
        """Read what has been seen, until it has been read once; then take it over what this run has seen in memory
        (the jobs that ended while the store could not be read then give their events; some may come twice)."""
        if self.loaded:
            return
        try:
            data = self.store.load(self.deadline())
        except StateUnavailable:
            return
        self.loaded = True
        state = EventState(data, now_ms(self.clock), warn=self.warn)
        if state.polled_ms is not None:  # a state to go on from (not none, nor one too old to be used)
            self.state, self.saved = state, state.data()

    def poll(self):
        """The events of one poll, oldest first (the state is changed only once every read has been made)."""
        self.load()
        deadline, now = self.deadline(), now_ms(self.clock)
        # A server not reached yet is tried again at each poll: a source outlives outages that began before it did.
        self.client.forget_unreachable()
        self.client.resolve_domain(deadline)
        jobs = self._read_jobs(now, deadline) if DEPLOYMENT_KIND in self.options['kinds'] else None
        deployable = read_deployable(self.client, deadline) if PENDING_KIND in self.options['kinds'] else None
        events = [] if jobs is None else self.state.take_jobs(jobs, now)
        if deployable is not None:
            events += self.state.take_deployable(deployable, now, int(self.options['pending_older_than'] * 1000))
        self.state.polled(now)
        return events

    def _read_jobs(self, now, deadline):
        since, until = self.state.window(now)
        path = self.client.config_path(JOBS_PATH)
        filters = [window_filter(since // 1000, until // 1000)]
        # Cisco describes no status filter (so none for rollbacks): a ROLLBACK job the window does not list while
        # it runs is still kept in ``running``, and the window, which reaches back to its start, lists it once it ends.
        deploying = self.deploying_ms is None or self.state.running or now - self.deploying_ms >= DEPLOYING_EVERY
        filters += [DEPLOYING_JOBS] if deploying else []
        jobs = [read_job(item, self.mapper) for text in filters
                for item in self.client.all_items(path, deadline, params={'filter': text, 'expanded': 'true'})]
        self.deploying_ms = now if deploying else self.deploying_ms
        return jobs

    def save(self):
        """Save what has been seen, when it changed (or once a minute: the time of the last poll)."""
        if not self.loaded:
            return  # what the store keeps is not overwritten before it has been read
        data = self.state.data()
        same = dict(data, polled_ms=None) == dict(self.saved, polled_ms=None)
        if same and (data['polled_ms'] or 0) - (self.saved['polled_ms'] or 0) < SAVE_EVERY:
            return
        self.store.save(data, self.deadline())
        self.saved = json.loads(json.dumps(data))

    def describe(self, error):
        """A failed poll in words, secrets masked and server text escaped."""
        if isinstance(error, CdfmcError):
            return shown(self.options.masked(self.client.redact(str(error))), 1000)
        return unexpected(error, lambda text: self.options.masked(self.client.redact(text)))


class Outage:
    """Whether polls fail: one line when they start failing, one when a poll succeeds again."""

    def __init__(self, server, interval, clock):
        self.server, self.interval, self.clock, self.since = server, interval, clock, None

    def failed(self, why):
        if self.since is None:
            self.since = self.clock.monotonic()
            LOGGER.warning('%s: %s cannot be polled (%s); polling goes on every %g s', SOURCE, self.server, why,
                           self.interval)

    def recovered(self):
        if self.since is not None:
            LOGGER.warning('%s: %s answers again, after %.0f s', SOURCE, self.server, self.clock.monotonic() - self.since)
            self.since = None


class EventSource:
    """The asyncio side: the blocking work in one thread of its own, in order; the stop set on cancel."""

    def __init__(self, queue, options, clock=None):
        self.queue, self.options, self.clock = queue, options, clock or SYSTEM_CLOCK
        self.stop = threading.Event()
        self.executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix='fmc_events')
        self.running, self.poller = None, None

    async def call(self, function, *args):
        self.running = asyncio.get_running_loop().run_in_executor(self.executor, function, *args)
        # What a call left behind by a cancel raises is looked at, so asyncio does not log it as never retrieved.
        self.running.add_done_callback(lambda future: future.cancelled() or future.exception())
        return await asyncio.shield(self.running)

    async def run(self):
        """Poll for ever; once cancelled, end as cancelled (what runs then is given CANCEL_GRACE seconds to end)."""
        try:
            self.poller = await self.call(Poller, self.options, self.stop, self.clock)
            await self.call(self.poller.start)
            await self.loop()
        except asyncio.CancelledError:
            self.stop.set()
            if self.running is not None:
                await asyncio.wait([self.running], timeout=CANCEL_GRACE)
            raise  # as asyncio expects: ansible-rulebook tells the source's shutdown as a cancel
        finally:
            self.stop.set()
            if self.poller is not None:
                self.poller.client.close()
            self.executor.shutdown(wait=False)

    async def loop(self):
        interval = self.options['poll_interval']
        outage = Outage(self.options.connection().server, interval, self.clock)
        while True:
            next_poll = Deadline(interval, self.clock, self.stop)
            try:
                events = await self.call(self.poller.poll)
            except Exception as exc:  # any failure of a poll: told once per outage, and the next poll tries again
                outage.failed(self.poller.describe(exc))
            else:
                outage.recovered()
                for event in events:
                    await self.queue.put(event)
                await self.save()
            await asyncio.sleep(next_poll.left())

    async def save(self):
        try:
            await self.call(self.poller.save)
        except Exception as exc:  # the store's own faults are told by the store; this is what it did not expect
            LOGGER.warning('%s: what has been seen could not be saved: %s', SOURCE, self.poller.describe(exc))


async def run(queue, args, clock=None):
    """What ``main(queue, args)`` of the source does: check the arguments (a bad one raises CdfmcOptionError at
    once), then poll and put events on ``queue`` until cancelled."""
    await EventSource(queue, read_options(args), clock).run()
