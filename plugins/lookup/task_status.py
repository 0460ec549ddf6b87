# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: task_status
version_added: 0.1.0
short_description: Read Firewall Management Center tasks inline, as task facts
description:
  - Reads each task id from the task status endpoint of a cloud-delivered (cdFMC) or on-prem Firewall Management
    Center, on the controller, and returns its task facts - the same as M(cisco.cdfmc.cdfmc_task_status).
  - Connection options come from the lookup's keywords, then from variables, then from the environment.
  - "One call (all its terms) ends within (O(max_retries) + 1) x O(request_timeout) + O(max_retries) x 120 seconds
    (the longest C(Retry-After) wait allowed between attempts): 780 seconds with the defaults."
author:
  - cisco.cdfmc maintainers (@cisco)
extends_documentation_fragment:
  - cisco.cdfmc.connection.plugins
  - cisco.cdfmc.task_facts
options:
  _terms:
    description: Task ids.
    type: list
    elements: str
    required: true
seealso:
  - module: cisco.cdfmc.cdfmc_task_status
  - module: cisco.cdfmc.cdfmc_task_wait
'''

EXAMPLES = r'''
- name: Show the state of a task
  ansible.builtin.debug:
    msg: "{{ lookup('cisco.cdfmc.task_status', deployment_task_id, region='us', api_token=scc_api_token).state }}"

- name: Branch on the devices that failed (connection from cdfmc_* variables or CDFMC_* environment)
  ansible.builtin.debug:
    msg: "Roll back {{ item }}"
  loop: "{{ lookup('cisco.cdfmc.task_status', task_id).failed_targets }}"

- name: Several tasks at once
  ansible.builtin.set_fact:
    tasks_now: "{{ query('cisco.cdfmc.task_status', 'task-1', 'task-2', include_raw=false) }}"
'''

RETURN = r'''
_raw:
  description: The task facts of each task id, in order (see M(cisco.cdfmc.cdfmc_task_status) for their keys).
  type: list
  elements: dict
'''

import contextlib
import os
import time

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.cisco.cdfmc.plugins.module_utils._budget import RequestBudget
from ansible_collections.cisco.cdfmc.plugins.module_utils._client import CdfmcClient, requests_version_problem
from ansible_collections.cisco.cdfmc.plugins.module_utils._connection import CONNECTION_ARGUMENT_SPEC, ConnectionSettings
from ansible_collections.cisco.cdfmc.plugins.module_utils._display import escaped
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcError
from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import StatusMapper, task_facts
from ansible_collections.cisco.cdfmc.plugins.module_utils._query import to_plain
from ansible_collections.cisco.cdfmc.plugins.module_utils._retry import call_bound
from ansible_collections.cisco.cdfmc.plugins.module_utils._statefile import LOCK_PATIENCE

display = Display()

# The variables and environment variables that the connection options document (see the connection fragment).
_OPTION_VARIABLES = tuple('cdfmc_%s' % name for name, spec in CONNECTION_ARGUMENT_SPEC.items() if spec.get('fallback'))
_OPTION_ENVIRONMENT = tuple(env for spec in CONNECTION_ARGUMENT_SPEC.values() if spec.get('fallback')
                            for env in spec['fallback'][1])


@contextlib.contextmanager
def _empty_environment_unset():
    """Hide CDFMC_* variables set to "" while ansible reads options, so they count as unset."""
    empty = dict((name, os.environ.pop(name)) for name in _OPTION_ENVIRONMENT if os.environ.get(name) == '')
    try:
        yield
    finally:
        os.environ.update(empty)


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        problem = requests_version_problem()
        if problem:
            raise AnsibleLookupError('cisco.cdfmc.task_status runs on the controller and %s there' % problem)
        # An empty value counts as unset wherever it comes from (AWX injects "" for empty inputs):
        # dropped here, before ansible's option handling would take it for a value.
        kwargs = dict((name, value) for name, value in kwargs.items() if value != '')
        own_variables = {}
        for name in _OPTION_VARIABLES:
            if name in (variables or {}):
                # Variables reach a lookup as written: template ours (and only ours) before they become options.
                value = variables[name]
                if self._templar is not None:
                    value = self._templar.template(value)
                if value not in (None, ''):
                    own_variables[name] = value
        with _empty_environment_unset():
            self.set_options(var_options=own_variables, direct=kwargs)
            options = dict((name, to_plain(self.get_option(name))) for name in CONNECTION_ARGUMENT_SPEC)
        try:
            settings = ConnectionSettings.from_options(options)
            for warning in settings.warnings:
                display.warning(warning)
            mapper = StatusMapper(to_plain(self.get_option('status_map')), warn=display.warning)
            # One deadline for the whole call, every term: as for one read of the module.
            deadline = time.monotonic() + call_bound(settings.max_retries, settings.request_timeout)
            budget = RequestBudget(settings.server, settings.max_requests_per_minute, settings.max_concurrent_requests,
                                   warn=display.warning, slot_patience=settings.request_timeout + LOCK_PATIENCE)
            with CdfmcClient(settings, budget=budget, warn=display.warning) as client:
                return [task_facts(str(term), client.get_task_status(str(term), self.get_option('detailed_device_status'),
                                                                     deadline=deadline),
                                   mapper, include_raw=self.get_option('include_raw'))
                        for term in to_plain(terms)]
        except CdfmcError as exc:
            raise AnsibleLookupError('cisco.cdfmc.task_status: %s' % escaped(str(exc)))
