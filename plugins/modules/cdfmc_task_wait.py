#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file only documents the action plugin of the same name, which does the work on the controller.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cdfmc_task_wait
short_description: Wait on one or many Firewall Management Center tasks, with per-device results
version_added: 0.1.0
description:
  - Waits from the controller until tasks of Cisco Secure Firewall Management Center, cloud-delivered (cdFMC)
    or on-prem, end - typically the deployment that a previous task requested - and returns task facts per task
    and per device.
  - The controller talks HTTP itself, on one keep-alive session for the whole wait; no module is shipped per poll.
    Each task is polled on its own schedule, and requests to one server are paced by a budget shared in turn by
    every fork of the run, so many hosts can wait at once without HTTP 429.
  - Fails on timeout (returning the last known facts of every task), on any task error and, with
    O(fail_on_failure), when a task ended failed or cancelled.
  - Connection options, and their environment variables, are read on the controller.
author:
  - cisco.cdfmc maintainers (@cisco)
extends_documentation_fragment:
  - cisco.cdfmc.connection
  - cisco.cdfmc.task_facts
  - cisco.cdfmc.reports
  - cisco.cdfmc.attributes
  - cisco.cdfmc.attributes.controller
  - cisco.cdfmc.attributes.action_group
attributes:
  async:
    description: Not supported; the wait already runs many tasks at once.
    support: none
options:
  task_ids:
    description:
      - What to wait on - a task id, a dictionary such as the registered result of a deployment request,
        or a list of either. A registered looped result (with C(results)) is flattened.
      - From a dictionary the id is the first non-empty of O(id_query), C(task.id), C(metadata.task.id),
        C(json.metadata.task.id), C(response.metadata.task.id) and C(id).
      - Items with C(skipped=true) are ignored, and so is a M(cisco.cdfmc.cdfmc_deploy) result that deployed nothing
        (C(changed=false), no task); when nothing is left the task is skipped, not failed.
      - Duplicate ids are polled once and reported at each position.
    type: raw
    required: true
    aliases: [task_id, tasks]
  id_query:
    description:
      - A JMESPath expression that finds the task id in each dictionary of O(task_ids), tried before the
        built-in places.
    type: str
  timeout:
    description:
      - Seconds to wait in all, from the start of the task, the login and the domain lookup included. V(0) checks
        each task once.
      - The wait ends within O(timeout) + O(request_timeout) whatever the server or a neighbouring process does.
    type: int
    default: 1800
  poll_interval:
    description:
      - Seconds between two polls of a task while the request budget has room. Each task is checked at once, then
        every O(poll_interval) seconds, with 20% jitter, as long as this host's requests to the server use less than
        half of O(max_requests_per_minute).
      - Above half, the gap of a task whose status did not change grows by half after every poll, up to
        O(max_poll_interval), and shrinks back as the rate falls; it falls back to O(poll_interval) when the status
        changes.
    type: float
    default: 5
  max_poll_interval:
    description:
      - Longest gap the schedule plans between two polls of one task, jitter included, when the request budget is
        busy. The budget itself may hold a poll back beyond it when more tasks wait than it allows (the delay is
        shown at C(-vvv)); a task's turn then comes at least every (unfinished tasks x 60 / O(max_requests_per_minute))
        seconds, the tasks polled longest ago first.
      - Must not be below O(poll_interval); when it is not set and O(poll_interval) is longer than 30, it is
        O(poll_interval).
    type: float
    default: 30
  until_query:
    description:
      - A JMESPath expression over one task's facts; the task is done once it is terminal or this is truthy.
      - A task ended this way counts as unfinished in RV(summary), not as a failure.
    type: str
  fail_on_failure:
    description:
      - Fail when any task ended failed or cancelled.
    type: bool
    default: true
  fail_fast:
    description:
      - Return as soon as any task ends failed or cancelled, without waiting for the others.
    type: bool
    default: false
  not_found_grace:
    description:
      - Seconds from the start of the wait during which a task that was never seen and answers HTTP 404 is
        taken as not visible yet. FMC can answer 404 for a few seconds for a task that a deployment request
        has just created.
      - Meanwhile the task is V(unknown) with C(error) saying so, one line is shown, and it is polled again on its
        schedule, with one poll at the end of the grace. A 404 after the grace ends that task with an error that
        names the grace; if O(timeout) comes first, the timeout message names the 404.
      - A mistyped task id therefore fails only once the grace is over. V(0) turns the grace off, so that 404
        ends a task at once.
      - A task that answered before and then answers 404 has disappeared (FMC may delete some tasks once they
        end); it ends at once, with no grace.
    type: int
    default: 60
    version_added: 0.2.0
notes:
  - A poll that runs out of O(max_retries) on connection errors, HTTP 429 or 5xx does not end the wait; the task
    keeps its last facts, records C(error), and is polled again at its next turn. HTTP 401, 403 and 404 (after
    O(not_found_grace)) end that task with C(error).
  - A wrong O(domain_uuid) is caught before any task is polled, so that tasks do not wait out O(not_found_grace)
    and blame their ids - on an on-prem FMC against the domains of the login; with an O(api_token) (a cdFMC,
    whose only domain is Global) a warning says that any other domain UUID makes every task answer 404.
  - In check mode, an item of O(task_ids) that holds no task id and did not fail is skipped with one warning, since
    a deployment module that skipped its request in check mode returns no task (for example
    C(cisco.fmcansible.fmc_configuration) returns only C(changed=false)). Outside check mode such an item is an
    error.
  - One line per task state change is shown at the default verbosity, and the detail of every poll at C(-vvv).
    Text from the server in these lines, in warnings, in RV(msg) and in each task's C(error) has its control
    characters shown escaped and is cut at 500 characters per field; the registered task facts keep it as sent.
  - An interrupted run (SIGINT, SIGTERM, a cancelled AWX job) stops at once.
seealso:
  - module: cisco.cdfmc.cdfmc_task_status
'''

EXAMPLES = r'''
- name: Request a deployment
  ansible.builtin.uri:
    url: "https://api.us.security.cisco.com/firewall/v1/cdfmc/api/fmc_config/v1/domain/{{ domain }}/deployment/deploymentrequests"
    method: POST
    headers:
      Authorization: "Bearer {{ scc_api_token }}"
    body_format: json
    body:
      type: DeploymentRequest
      version: "{{ (now(utc=true).timestamp() * 1000) | int }}"
      forceDeploy: false
      ignoreWarning: true
      deviceList: "{{ device_ids }}"
    status_code: 202
  changed_when: true
  register: deployment
  no_log: true

- name: Wait for the deployment and report per device
  cisco.cdfmc.cdfmc_task_wait:
    region: us
    api_token: "{{ scc_api_token }}"
    task_ids: "{{ deployment }}"
    timeout: 1200
  register: deployment_wait

- name: Wait on many tasks at once, connection settings from the action group
  module_defaults:
    group/cisco.cdfmc.cdfmc:
      base_url: https://example-tenant.app.eu.cdo.cisco.com
      api_token: "{{ api_token }}"
  cisco.cdfmc.cdfmc_task_wait:
    task_ids: "{{ registrations.results }}"
    fail_fast: true

- name: Go on once every device has started deploying
  cisco.cdfmc.cdfmc_task_wait:
    task_ids: "{{ task_id }}"
    until_query: "length(sub_tasks[?state=='pending']) == `0`"
    fail_on_failure: false
'''

RETURN = r'''
tasks:
  description: The task facts of each item of O(task_ids), in input order, each with C(elapsed), C(polls) and C(error).
  returned: always, unless skipped
  type: list
  elements: dict
  contains:
    id:
      description: The task id.
      type: str
    task_type:
      description: The raw C(taskType); null until the task was read.
      type: str
    status:
      description: The raw status; null when absent or never read.
      type: str
    state:
      description: The normalised state.
      type: str
      choices: [pending, running, succeeded, failed, cancelled, unknown]
    terminal:
      description: Whether the state is V(succeeded), V(failed) or V(cancelled).
      type: bool
    message:
      description: The task's C(message).
      type: str
    description:
      description: The task's C(description).
      type: str
    sub_tasks:
      description: One entry per sub-task (per device), with C(target_id), C(target_name), C(target_type), C(status),
        C(state) and C(message).
      type: list
      elements: dict
    failed_targets:
      description: Names (ids where there is no name) of the targets whose sub-task failed.
      type: list
      elements: str
    raw:
      description: The API's JSON of the last poll; absent when O(include_raw=false).
      type: dict
    elapsed:
      description: Seconds from the start of the wait until this task was done (or the wait ended).
      type: float
    polls:
      description: How many times this task was read.
      type: int
    error:
      description: Null, or why the last poll of this task failed.
      type: str
summary:
  description: Counts over RV(tasks).
  returned: always, unless skipped
  type: dict
  contains:
    total:
      description: Items in RV(tasks).
      type: int
    succeeded:
      description: Tasks that succeeded.
      type: int
    failed:
      description: Tasks that failed.
      type: int
    cancelled:
      description: Tasks that were cancelled.
      type: int
    unfinished:
      description: Tasks not terminal at the end, those ended by O(until_query) included.
      type: int
    errors:
      description: Tasks with an C(error).
      type: int
all_succeeded:
  description: Whether every task succeeded.
  returned: always, unless skipped
  type: bool
timed_out:
  description: Whether the wait ended at O(timeout) with tasks unfinished.
  returned: always, unless skipped
  type: bool
elapsed:
  description: Seconds the wait took.
  returned: always, unless skipped
  type: float
reports:
  description: The paths of the reports written (C(json), C(markdown), C(junit)), with O(report_dir).
  returned: when O(report_dir) is set and the reports were written
  type: dict
  version_added: 0.3.0
requests:
  description: HTTP requests made, retries included.
  returned: always, unless skipped
  type: int
msg:
  description: A readable summary, naming each failed task, each failed device with its message, and each error.
  returned: always
  type: str
'''
