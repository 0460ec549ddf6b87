# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The client of one FMC, and the factory that builds it: settings in, a ready client out.

``connect(settings)`` assembles the parts (the shared request budget, the authentication, the transport) so
that no entry point does; ``CdfmcClient`` reads what the collection needs: the domain, lists page after page,
and task statuses.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It never imports AnsibleModule: it raises
CdfmcError subclasses and reports through callbacks, so modules and controller
plugins share it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

from urllib.parse import quote

from ansible_collections.cisco.cdfmc.plugins.module_utils._auth import FmcLoginAuth, TokenAuth
from ansible_collections.cisco.cdfmc.plugins.module_utils._budget import RequestBudget
from ansible_collections.cisco.cdfmc.plugins.module_utils._budget_redis import redis_store
from ansible_collections.cisco.cdfmc.plugins.module_utils._login_redis import redis_login_cache
from ansible_collections.cisco.cdfmc.plugins.module_utils._redis import Outage, RedisConnection, outage_path
from ansible_collections.cisco.cdfmc.plugins.module_utils._urls import validate_task_id
from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import SYSTEM_CLOCK, Deadline
from ansible_collections.cisco.cdfmc.plugins.module_utils._domain import find_domain
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcRequestError, CdfmcResponseError
from ansible_collections.cisco.cdfmc.plugins.module_utils._retry import is_retryable_status
from ansible_collections.cisco.cdfmc.plugins.module_utils._transport import USER_AGENT, Transport, require_requests

__all__ = ('USER_AGENT', 'CdfmcClient', 'connect')

PAGE_SIZE = 1000
MAX_PAGES = 100


def connect(settings, warn=None, log=None, notice=None, clock=None):
    """A ready client for ``settings``: the request budget and the on-prem login shared with other processes
    (through the Redis of ``budget_url`` when set, else files of this host), the authentication, one session.
    ``warn`` and ``log`` get warnings and per-request lines, ``notice`` a line per retry while the server has never
    answered. Every wait is on the Deadline each call is given (its stop ends it early)."""
    for warning in settings.warnings:
        if warn is not None:
            warn(warning)
    store = auth = None
    if settings.budget_url:
        # One connection to Redis for the budget and the login, and one outage: a fault is told once.
        connection = RedisConnection(settings.budget_url, settings.budget_ca_file)
        outage = Outage(connection.shown, warn, clock=clock, path=outage_path(connection))
        store = redis_store(connection, settings.server, clock=clock, warn=warn, outage=outage)
        if settings.uses_login:
            cache = redis_login_cache(settings, clock=clock, warn=warn, connection=connection, outage=outage)
            auth = FmcLoginAuth(settings, warn=warn, clock=clock, cache=cache)
    budget = RequestBudget(settings, warn=warn, clock=clock, store=store)
    return CdfmcClient(settings, auth=auth, budget=budget, log=log, warn=warn, notice=notice, clock=clock)


class CdfmcClient:
    """One FMC: its transport, its authentication, and the domain of its tasks.

    ``auth`` defaults to what the settings call for (an API token, or an on-prem login shared by forks).
    ``budget``, ``log`` and ``notice`` go to the transport; ``warn`` gets the login cache's warnings; ``clock`` (a
    Clock) is the login's wall clock and bounds the calls given no deadline.
    """

    def __init__(self, settings, auth=None, budget=None, log=None, warn=None, notice=None, clock=None):
        require_requests()
        self.settings = settings
        self.clock = clock or SYSTEM_CLOCK
        if auth is None:
            auth = FmcLoginAuth(settings, warn=warn, clock=self.clock) if settings.uses_login else TokenAuth(
                settings.api_token)
        self.auth = auth
        self._warn = warn
        # An old on-prem FMC may refuse any query parameter on task statuses: then none is sent again.
        self._refuses_task_parameters = False
        self.transport = Transport(settings, auth, budget=budget, log=log, notice=notice, clock=self.clock)
        self._domain_uuid = None
        self._domain_lock = threading.Lock()  # one lookup of the domain, however many threads ask at once

    def close(self):
        """Close the session's connections."""
        self.transport.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    @property
    def request_count(self):
        """Every HTTP request sent, retries, logins and refreshes included."""
        return self.transport.request_count

    @property
    def session(self):
        return self.transport.session

    @property
    def budget(self):
        return self.transport.budget

    def forget_unreachable(self):
        """Try a server that has not answered again at the next request (a caller that lives long outlives
        outages that began before it did)."""
        self.transport.unreachable = None

    def redact(self, text):
        """Return text with every secret and URL credential masked."""
        return self.transport.redact(text)

    def request(self, method, api_path, **options):
        """One API request with retries (see Transport.request); its Response."""
        return self.transport.request(method, api_path, **options)

    def resolve_domain(self, deadline=None):
        """The domain UUID of the tasks: domain_uuid, else domain looked up by name, else the login's domain."""
        with self._domain_lock:
            if self._domain_uuid is None:
                self._domain_uuid = find_domain(self, deadline or Deadline(clock=self.clock))
            return self._domain_uuid

    def config_path(self, rest):
        """The API path of an fmc_config resource in the tasks' domain, such as ``/deployment/jobhistories``
        (resolve_domain() first)."""
        if self._domain_uuid is None:
            raise RuntimeError('config_path() before resolve_domain()')
        return '/fmc_config/v1/domain/%s%s' % (quote(self._domain_uuid, safe=''), rest)

    def all_items(self, api_path, deadline=None, params=None):
        """Every item of an FMC list (``items`` with ``paging``), page after page; a list longer than MAX_PAGES
        pages is refused (CdfmcResponseError) rather than used in part. Entries that are not objects are left out."""
        items, offset = [], 0
        for _page in range(MAX_PAGES):
            response = self.request('GET', api_path, params=dict(params or {}, offset=offset, limit=PAGE_SIZE),
                                    deadline=deadline)
            body = response.body if isinstance(response.body, dict) else {}
            page = body.get('items') if isinstance(body.get('items'), list) else []
            items.extend(item for item in page if isinstance(item, dict))
            offset += len(page)  # what the server counts, objects or not
            paging = body.get('paging') if isinstance(body.get('paging'), dict) else {}
            count = _count(paging.get('count'))
            if not page or count is None or offset >= count:
                return items
        raise CdfmcResponseError('GET %s on %s: the list has more than %d items; not read in part'
                                 % (response.path, self.settings.server, MAX_PAGES * PAGE_SIZE),
                                 method='GET', path=response.path, status=response.status)

    def get_task_status(self, task_id, detailed_device_status=True, deadline=None):
        """GET one task's status and return its JSON object.

        Raises CdfmcOptionError for a bad id (before any request), CdfmcRequestError
        and subclasses for everything the server or network does wrong.
        """
        task_id = validate_task_id(task_id)
        api_path = self.settings.task_status_path(task_id, self.resolve_domain(deadline))
        detailed = detailed_device_status and not self._refuses_task_parameters
        try:
            response = self.request('GET', api_path, params={'showDetailedDeviceStatus': 'true'} if detailed else None,
                                    deadline=deadline)
        except CdfmcRequestError as exc:
            # A busy FMC's 400 ("please try again") says nothing of the parameter: the wait polls again later.
            if not detailed or exc.status not in (400, 422) or is_retryable_status('GET', exc.status, exc.detail):
                raise
            response = self.request('GET', api_path, deadline=deadline)
            self._remember_refused_parameters(exc)
        if not isinstance(response.body, dict):
            raise CdfmcResponseError(
                'GET %s on %s: the server answered with %s where a task status object belongs'
                % (response.path, self.settings.server,
                   'an empty body' if response.body is None else 'a JSON %s' % type(response.body).__name__),
                method='GET', path=response.path, status=response.status)
        return response.body

    def _remember_refused_parameters(self, error):
        """Remember that this server answers task statuses only without showDetailedDeviceStatus; say so once."""
        if self._refuses_task_parameters:
            return
        self._refuses_task_parameters = True
        if self._warn is not None:
            self._warn('cisco.cdfmc: %s refused showDetailedDeviceStatus on task statuses (HTTP %s) and answers '
                       'without it: tasks are read without per-device detail from now on' % (
                           self.settings.server, error.status))


def _count(value):
    """A list's ``paging.count`` as a number: FMC sends it as a number, cdFMC's examples also as text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip() if isinstance(value, str) else ''
    return int(text) if text.isdigit() else None
