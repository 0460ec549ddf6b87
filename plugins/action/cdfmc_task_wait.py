# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cdfmc_task_wait: waits on tasks from the controller, talking HTTP itself (no module per poll)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import threading
import time

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase

from ansible_collections.cisco.cdfmc.plugins.module_utils._budget import RequestBudget
from ansible_collections.cisco.cdfmc.plugins.module_utils._statefile import LOCK_PATIENCE
from ansible_collections.cisco.cdfmc.plugins.module_utils._client import CdfmcClient, requests_version_problem
from ansible_collections.cisco.cdfmc.plugins.module_utils._connection import ConnectionSettings
from ansible_collections.cisco.cdfmc.plugins.module_utils._display import escaped, shown
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcError
from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import TERMINAL_STATES, StatusMapper, describe_state
from ansible_collections.cisco.cdfmc.plugins.module_utils._query import HAS_JMESPATH, compile_query
from ansible_collections.cisco.cdfmc.plugins.module_utils._task_ids import extract_task_ids
from ansible_collections.cisco.cdfmc.plugins.module_utils._wait import (
    DaemonThreadPool,
    Waiter,
    check_timing,
    summarize,
    wait_argument_spec,
)

# Options whose empty value stays, so that the refusal names them ("task_ids is empty").
_KEEP_EMPTY = frozenset(('task_ids', 'task_id', 'tasks'))


def _devices_done(facts):
    sub_tasks = facts['sub_tasks']
    done = sum(1 for sub_task in sub_tasks if sub_task['state'] in TERMINAL_STATES)
    return '%d/%d' % (done, len(sub_tasks))


# Where secrets can come from when validation fails before ansible-core knows which values are no_log.
_SECRET_OPTIONS = ('api_token', 'password')
_SECRET_VARIABLES = ('CDFMC_API_TOKEN', 'CDFMC_PASSWORD')
_URL_CREDENTIALS = re.compile(r'(?<=//).*@')


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    def _masked(self, text):
        secrets = [self._task.args.get(name) for name in _SECRET_OPTIONS]
        secrets += [os.environ.get(name) for name in _SECRET_VARIABLES]
        for secret in secrets:
            if isinstance(secret, str) and secret:
                text = text.replace(secret, '********')
        return text

    def run(self, tmp=None, task_vars=None):
        # One deadline for everything, from here: the login, the domain lookup and every poll.
        started = time.monotonic()
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp

        problem = requests_version_problem()
        if problem is None and not HAS_JMESPATH:
            problem = 'the Python library jmespath is not installed'
        if problem:
            raise AnsibleActionFail('cisco.cdfmc.cdfmc_task_wait runs on the controller and %s there; '
                                    'install the collection\'s requirements.txt into the Python that runs '
                                    'ansible-playbook' % problem)

        # An empty string counts as unset (AWX passes "" for empty inputs).
        self._task.args = dict((name, value) for name, value in self._task.args.items()
                               if value != '' or name in _KEEP_EMPTY)
        max_poll_interval_given = 'max_poll_interval' in self._task.args
        try:
            validation, args = self.validate_argument_spec(argument_spec=wait_argument_spec())
        except AnsibleActionFail as exc:
            # ansible-core shows the failing task's arguments with this exception, secrets included:
            # report the message alone, with any secret in it masked.
            result.update(failed=True, msg=self._masked(getattr(exc, 'message', None) or str(exc)))
            return result
        if not max_poll_interval_given and args['poll_interval'] and args['poll_interval'] > args['max_poll_interval']:
            # A long poll_interval alone means that gap throughout, not a refusal over the default maximum.
            args['max_poll_interval'] = args['poll_interval']
        invocation = {'module_args': remove_values(args, validation._no_log_values)}
        if isinstance(args.get('base_url'), str):
            # Credentials put in base_url by mistake are refused; they must not be shown either.
            invocation['module_args']['base_url'] = _URL_CREDENTIALS.sub('********@', args['base_url'])
        warnings = []

        try:
            settings = ConnectionSettings.from_options(args)
            mapper = StatusMapper(args['status_map'], warn=warnings.append)
            until_query = compile_query(args['until_query'], 'until_query') if args['until_query'] else None
            id_query = compile_query(args['id_query'], 'id_query') if args['id_query'] else None
            check_timing(args['timeout'], args['poll_interval'], args['max_poll_interval'], args['not_found_grace'])
            task_ids = extract_task_ids(args['task_ids'], id_query, check_mode=self._play_context.check_mode)
        except CdfmcError as exc:
            result.update(failed=True, msg=str(exc), invocation=invocation)
            return result
        warnings.extend(settings.warnings)
        if task_ids.without_id:
            warnings.append('check mode: no task id in %s, which did not fail (a deployment request that sent '
                            'nothing in check mode); skipped' % ', '.join(task_ids.without_id))

        if not task_ids.ids:
            result.update(changed=False, skipped=True, invocation=invocation,
                          msg='nothing to wait on: all %d item(s) of task_ids were skipped' % task_ids.skipped)
            if warnings:
                result['warnings'] = warnings
            return result

        stop = threading.Event()
        unique = task_ids.unique()
        display = self._display

        def on_change(progress, old_status, old_state):
            facts = progress.facts
            if facts is None:
                display.display('cdfmc_task_wait: task %s: %s; polling until then' % (progress.id, progress.error))
                return
            # Statuses and types come from the server: shown escaped and cut, so they cannot forge a log line.
            display.display('cdfmc_task_wait: task %s%s: %s -> %s (%s), devices %s done' % (
                progress.id, ' %s' % shown(facts['task_type']) if facts['task_type'] else '',
                shown(old_status or '(none)'), shown(facts['status'] or '(none)'),
                describe_state(facts['status'], facts['state']), _devices_done(facts)))

        def on_poll(progress):
            if progress.error:
                display.vvv('cdfmc_task_wait: task %s poll %d: %s' % (progress.id, progress.polls, progress.error))
            else:
                display.vvv('cdfmc_task_wait: task %s poll %d: %s (%s), devices %s done, next check in %.1fs' % (
                    progress.id, progress.polls, shown(progress.status), progress.state, _devices_done(progress.facts),
                    max(0.0, (progress.next_at or 0) - time.monotonic())))

        try:
            budget = RequestBudget(settings.server, settings.max_requests_per_minute,
                                   settings.max_concurrent_requests, wait=stop.wait, warn=warnings.append,
                                   slot_patience=settings.request_timeout + LOCK_PATIENCE)
            client = CdfmcClient(settings, budget=budget, sleep=stop.wait, log=display.vvvv, warn=warnings.append)
        except CdfmcError as exc:
            result.update(failed=True, msg=escaped(str(exc)), invocation=invocation)
            return result
        try:
            # The login and the domain, once and up front: a problem there is one error, not one per task.
            # Within the wait's own deadline (at least one full request, as for timeout 0).
            client.resolve_domain(deadline=started + max(args['timeout'], settings.request_timeout))
        except CdfmcError as exc:
            client.close()
            result.update(failed=True, msg=escaped(str(exc)), requests=client.request_count, invocation=invocation)
            if warnings:
                result['warnings'] = [escaped(warning) for warning in warnings]
            return result
        pool = DaemonThreadPool(min(settings.max_concurrent_requests, len(unique)))

        def fetch(task_id, deadline):
            return client.get_task_status(task_id, args['detailed_device_status'], deadline=deadline)

        waiter = Waiter(
            unique, fetch, mapper, args['timeout'], args['poll_interval'], args['max_poll_interval'],
            settings.request_timeout, until_query=until_query, fail_fast=args['fail_fast'],
            include_raw=args['include_raw'], pool=pool, stop=stop, on_change=on_change, on_poll=on_poll,
            not_found_grace=args['not_found_grace'], started=started)
        try:
            outcome = waiter.run()
        except BaseException:
            stop.set()
            raise
        finally:
            pool.shutdown()
            client.close()

        result.update(summarize(outcome, task_ids.ids, args['include_raw'], mapper,
                                args['fail_on_failure'], args['timeout']))
        result.update(changed=False, requests=client.request_count, invocation=invocation, msg=escaped(result['msg']))
        if warnings:
            result['warnings'] = [escaped(warning) for warning in warnings]
        return result
