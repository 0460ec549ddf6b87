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

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.cisco.cdfmc.plugins.module_utils._connection_spec import connection_argument_spec
from ansible_collections.cisco.cdfmc.plugins.module_utils._display import escaped
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcError
from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import task_facts_argument_spec
from ansible_collections.cisco.cdfmc.plugins.module_utils._options import OptionAdapter
from ansible_collections.cisco.cdfmc.plugins.module_utils._query import to_plain
from ansible_collections.cisco.cdfmc.plugins.module_utils._task_status import read_tasks

display = Display()


def lookup_argument_spec():
    """The lookup's options (its keywords): the connection options and those that shape the task facts."""
    spec = connection_argument_spec()
    spec.update(task_facts_argument_spec())
    return spec


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        try:
            # Keywords, then cdfmc_* variables, then CDFMC_* environment variables: an empty value counts as unset.
            options = OptionAdapter.from_lookup(kwargs, variables, self._templar, lookup_argument_spec())
            return read_tasks(options, [str(term) for term in to_plain(terms)], warn=display.warning)
        except CdfmcError as exc:
            raise AnsibleLookupError('cisco.cdfmc.task_status: %s' % escaped(str(exc)))
