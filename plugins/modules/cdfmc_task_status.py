#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cdfmc_task_status
short_description: Read the status of one task of a Firewall Management Center, cloud-delivered or on-prem
version_added: 0.1.0
description:
  - Reads one task (a job such as a deployment or a device registration) from the task status endpoint of
    Cisco Secure Firewall Management Center, cloud-delivered (cdFMC) or on-prem, and returns it as task facts
    with a normalised O(ignore:state), per-device sub-tasks and the devices that failed.
  - A cdFMC is reached through the Security Cloud Control gateway of its region or through its tenant host,
    with an API token; an on-prem FMC with a user name and password.
  - To wait until one or many tasks end, use M(cisco.cdfmc.cdfmc_task_wait) rather than looping over this module.
  - This module reads once, so HTTP 404 fails it. FMC can answer 404 for a few seconds for a task that was just
    created; M(cisco.cdfmc.cdfmc_task_wait) takes such a task as not visible yet for its O(cisco.cdfmc.cdfmc_task_wait#module:not_found_grace),
    which a single read cannot do.
  - "One read ends within (O(max_retries) + 1) x O(request_timeout) + O(max_retries) x 120 seconds (the longest
    C(Retry-After) wait allowed between attempts): 780 seconds with the defaults. The login, the request budget
    and every retry share that one deadline."
  - "The module runs where the task runs; to use the controller's environment and Python, add
    C(delegate_to: localhost)."
author:
  - cisco.cdfmc maintainers (@cisco)
extends_documentation_fragment:
  - cisco.cdfmc.connection
  - cisco.cdfmc.task_facts
  - cisco.cdfmc.attributes
  - cisco.cdfmc.attributes.action_group
options:
  task_id:
    description:
      - The id of the task, for example the C(metadata.task.id) of a deployment request's answer.
      - 1 to 128 letters, digits, V(.), V(_) or V(-), starting with a letter or digit.
    type: str
    required: true
    aliases: [id]
  query:
    description:
      - A JMESPath expression evaluated over the task facts (RV(task)); its result is returned as
        RV(query_result).
    type: str
seealso:
  - module: cisco.cdfmc.cdfmc_task_wait
'''

EXAMPLES = r'''
- name: Read a deployment task of a cdFMC
  cisco.cdfmc.cdfmc_task_status:
    region: us
    api_token: "{{ scc_api_token }}"
    task_id: "{{ deployment.json.metadata.task.id }}"
  delegate_to: localhost
  register: deployment_task

- name: Show the devices that failed
  ansible.builtin.debug:
    var: deployment_task.task.failed_targets

- name: Read a task through a cdFMC tenant host behind a TLS-inspecting proxy, without the raw JSON
  cisco.cdfmc.cdfmc_task_status:
    base_url: https://example-tenant.app.us.cdo.cisco.com
    api_token: "{{ api_token }}"
    ca_path: /etc/pki/proxy-ca.pem
    task_id: "{{ task_id }}"
    include_raw: false
    query: "sub_tasks[?state=='failed'].{device: target_name, why: message}"
  delegate_to: localhost
  register: task_status

- name: Treat a vendor-specific status as a failure
  cisco.cdfmc.cdfmc_task_status:
    task_id: "{{ task_id }}"
    status_map:
      Partially_Deployed: failed
  delegate_to: localhost
  environment:
    CDFMC_REGION: eu
    CDFMC_API_TOKEN: "{{ scc_api_token }}"
'''

RETURN = r'''
task:
  description: The task facts.
  returned: success
  type: dict
  contains:
    id:
      description: The task id asked for.
      type: str
      sample: "8589947632"
    task_type:
      description: The raw C(taskType).
      type: str
      sample: DEVICE_DEPLOYMENT
    status:
      description: The raw status as the API sent it; null when absent.
      type: str
      sample: Deployed
    state:
      description: The normalised state.
      type: str
      sample: succeeded
      choices: [pending, running, succeeded, failed, cancelled, unknown]
    terminal:
      description: Whether the state is V(succeeded), V(failed) or V(cancelled).
      type: bool
      sample: true
    message:
      description: The task's C(message) from the API.
      type: str
    description:
      description: The task's C(description) from the API.
      type: str
    sub_tasks:
      description: One entry per sub-task (per device for deployments); any field but C(state) may be null.
      type: list
      elements: dict
      contains:
        target_id:
          description: Id of the target (the device UUID).
          type: str
        target_name:
          description: Name of the target.
          type: str
        target_type:
          description: Type of the target, such as C(Device).
          type: str
        status:
          description: Raw status of the sub-task.
          type: str
        state:
          description: Normalised state of the sub-task.
          type: str
        message:
          description: Message of the sub-task.
          type: str
    failed_targets:
      description: Names (ids where there is no name) of the targets whose sub-task failed.
      type: list
      elements: str
      sample: [ftd-branch-2]
    raw:
      description: The API's JSON, untouched; absent when O(include_raw=false).
      type: dict
query_result:
  description: The result of O(query) over RV(task).
  returned: when O(query) is set
  type: raw
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cisco.cdfmc.plugins.module_utils._connection_spec import connection_argument_spec
from ansible_collections.cisco.cdfmc.plugins.module_utils._display import escaped
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcError
from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import task_facts_argument_spec
from ansible_collections.cisco.cdfmc.plugins.module_utils._options import OptionAdapter
from ansible_collections.cisco.cdfmc.plugins.module_utils._query import compile_query, run_query
from ansible_collections.cisco.cdfmc.plugins.module_utils._task_status import read_tasks


def argument_spec():
    """The module's options: the connection options plus its own."""
    spec = connection_argument_spec()
    spec.update(task_facts_argument_spec())
    spec.update(
        task_id=dict(type='str', required=True, aliases=['id']),
        query=dict(type='str'),
    )
    return spec


def read_task(options, module):
    """Read the task and return the module result; raises CdfmcError."""
    query = compile_query(options['query'], 'query') if options.get('query') else None
    (facts,) = read_tasks(options, [options['task_id']], warn=module.warn, log=module.debug)
    result = dict(changed=False, task=facts)
    if query is not None:
        result['query_result'] = run_query(query, facts)
    return result


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    try:
        # The task id stays even when empty, so that its refusal names it.
        result = read_task(OptionAdapter.from_module(module, keep_empty=('task_id',)), module)
    except CdfmcError as exc:
        details = getattr(exc, 'details', None)
        module.fail_json(msg=escaped(str(exc)), **({'exception': details} if details else {}))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
