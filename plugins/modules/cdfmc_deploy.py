#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file only documents the action plugin of the same name, which does the work on the controller.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cdfmc_deploy
short_description: Deploy what is pending on Firewall Management Center devices and know each device's result
version_added: 0.2.0
description:
  - Deploys the pending changes of the devices named (or of every device with pending changes) of Cisco Secure
    Firewall Management Center, cloud-delivered (cdFMC) or on-prem, in one deployment request, then waits for the
    deployment task and returns each device's result, as M(cisco.cdfmc.cdfmc_task_wait) does.
  - Idempotent. A device with nothing to deploy is reported in RV(up_to_date) and is not deployed; when nothing
    named is pending, the task is V(ok). After the deployment, it waits (at most O(settle_timeout)) until FMC's list
    of deployable devices has caught up, so that a second run right after finds nothing to do. A device the list
    still shows at a version older than the start of a deployment that succeeded on it (in FMC's deployment job
    history) is up to date too. An FMC without job history (before 6.7) is deployed to all the same, with a warning.
  - A device that is deploying already (another administrator's deployment) is waited for, then what is still
    pending is deployed with a new request; O(on_deploying=fail) fails instead.
  - Names are matched against every managed device, HA pair and cluster, ids first, then exact names. A name that
    is unknown, or that names two devices, is refused before anything is sent. A member of an HA pair or a cluster
    is deployed through its pair or cluster, with a warning. Pairs, clusters (as FMC 6.x and 7.x list them) and
    devices are named by FMC's record types C(DeviceHAPair), C(DeviceCluster) and C(Device) in the results,
    whatever the list of deployable devices calls them (it says C(SENSOR) for a standalone device).
  - One O(timeout), from the start of the task, covers waiting for another deployment, the request, the wait and
    the settling. Deployments from the forks of one host to one server are requested one at a time; the usual
    form is one task with C(run_once) and a list of devices.
  - Runs on the controller; connection options, and their environment variables, are read there.
author:
  - cisco.cdfmc maintainers (@cisco)
extends_documentation_fragment:
  - cisco.cdfmc.connection
  - cisco.cdfmc.task_facts
  - cisco.cdfmc.reports
  - cisco.cdfmc.attributes.controller
  - cisco.cdfmc.attributes.action_group
attributes:
  async:
    description: Not supported; the deployment is waited for by the task itself.
    support: none
  check_mode:
    description: Reads what would be deployed and returns it in RV(deployed); sends no deployment request.
    support: full
  diff_mode:
    description:
      - Shows the pending policies of each device and, where FMC offers them, each entity a pending change adds,
        updates or deletes, with its fields' old values before and new values after.
      - Values of fields whose name looks secret (key, password, secret, token, community) are shown as C(********).
    support: full
options:
  devices:
    description:
      - The devices to deploy, by name or id, or V(all) for every device with pending changes (on a shared FMC, that
        deploys other administrators' unfinished work too).
      - Ids match first, then exact names (case matters). A device named V(all) must be given by its id.
    type: raw
    required: true
  force:
    description:
      - Deploy every device named, also those with nothing pending (C(forceDeploy)); the request then carries the
        current time as its version.
    type: bool
    default: false
  ignore_warnings:
    description:
      - Deploy even when the committed policies have warnings (C(ignoreWarning)). Otherwise FMC refuses the deployment
        and lists the warnings, which RV(msg) shows.
      - Off by default, unlike the samples that deploy with C(ignoreWarning=true), so that a warning is read before
        it reaches the devices.
    type: bool
    default: false
  note:
    description:
      - A note for the deployment (C(deploymentNote)), shown in FMC's deployment history.
    type: str
  on_deploying:
    description:
      - What to do when a device named is deploying already. V(wait) waits for that deployment to end, reads what is
        pending again, and deploys what still is, in a new request. V(fail) fails, naming the device.
    type: str
    choices: [wait, fail]
    default: wait
  on_failure:
    description:
      - What to do when the deployment failed on a device. V(fail) fails the task, naming it, and leaves every
        device as FMC left it.
      - V(rollback) also returns every device of this deployment that changed in it (its deployment succeeded, or
        partially succeeded) to the configuration it had before, as M(cisco.cdfmc.cdfmc_rollback) does, and waits
        for that; the devices that failed are left as FMC left them. The deployment's own job is found in FMC's
        deployment job history (the newest deployment of the device that was not there before the request; the
        history may lag, so it is read again for up to O(settle_timeout) seconds). RV(msg) then names what failed,
        what was rolled back, and what could not be (with why), and each entry of RV(deployed) says in C(rollback)
        what became of it. The task fails, unless O(fail_on_failure=false).
      - The rollback has what is left of O(timeout), or 5 minutes when less is left. A deployment whose task had not
        ended when the timeout came is not rolled back.
      - A rollback interrupts traffic through the device, so V(rollback) with O(interrupt_traffic=false) is refused
        before anything is sent; so is an FMC without deployment job history (before 6.7), and it needs
        O(wait=true). A rolled-back device is out of date again in FMC, so the next deployment to it deploys the
        same change again.
    type: str
    choices: [fail, rollback]
    default: fail
    version_added: 0.3.0
  interrupt_traffic:
    description:
      - When V(false), refuse, before anything is sent, to deploy to a device whose deployment would interrupt
        traffic (C(trafficInterruption=YES)).
    type: bool
    default: true
  pending_grace:
    description:
      - Seconds to wait, when nothing named is pending, before reading FMC's list of deployable devices once more,
        since the list lags a change by seconds. V(0) reads it once.
    type: int
    default: 10
  settle_timeout:
    description:
      - Seconds to wait, after the deployment ended, for the devices whose deployment succeeded to leave FMC's list
        of deployable devices (or for it to list a newer version of them), so that a run right after finds nothing
        to do. When they do not in time (or O(timeout) comes first), a warning says so; the task does not fail.
      - Not used with O(wait=false). A run right after still does not deploy again what a deployment that
        succeeded deployed, as FMC's deployment job history shows it.
      - With O(on_failure=rollback), also the longest wait for the job history to show a deployment that failed.
    type: int
    default: 60
  wait:
    description:
      - Wait for the deployment task to end. When V(false), return as soon as FMC accepted the request, with the
        task id in RV(task), for example for M(cisco.cdfmc.cdfmc_task_wait) or the C(cisco.cdfmc.wait_for_tasks)
        role; nothing is settled then.
    type: bool
    default: true
  timeout:
    description:
      - Seconds for everything, from the start of the task - waiting for another deployment, the request, the wait
        and the settling (and with O(on_failure=rollback), the rollback, which has 5 minutes when less is left). It
        must be positive.
      - The wait, and O(not_found_grace), count from the moment FMC accepted the request.
    type: int
    default: 1800
  poll_interval:
    description:
      - Seconds between two polls of the deployment task while the request budget has room, as for
        M(cisco.cdfmc.cdfmc_task_wait); also how often the list of deployable devices is read while waiting for
        another deployment or for the list to catch up.
    type: float
    default: 5
  max_poll_interval:
    description:
      - Longest gap between two polls of the deployment task when the request budget is busy.
    type: float
    default: 30
  not_found_grace:
    description:
      - Seconds during which the new deployment task may answer HTTP 404 (FMC can take seconds to show it).
      - V(0) turns the grace off; a 404 then fails the wait at once.
    type: int
    default: 60
  fail_on_failure:
    description:
      - Fail when the deployment failed on any device. When V(false), return the results instead.
    type: bool
    default: true
notes:
  - A deployment request is sent again only when FMC did not act on it - after HTTP 429, a refused connection, or
    HTTP 401 (once - after a new login, or with the same API token, as cdFMC answers an occasional spurious 401) -
    and never after it may have reached FMC. When it got no answer (or a gateway's HTTP 502 or 504), RV(msg) says
    that a deployment may have started; when FMC accepted it with an answer that cannot be used, the task fails
    with C(changed=true).
  - When FMC refuses the request because a deployment is in progress and its lists do not show which, the request
    is sent again every O(pending_grace) seconds (at least 1) until it is accepted or O(timeout) comes.
  - Text from the server in progress lines, warnings, RV(msg) and the diff has its control characters shown
    escaped.
seealso:
  - module: cisco.cdfmc.cdfmc_rollback
  - module: cisco.cdfmc.cdfmc_task_wait
  - module: cisco.cdfmc.cdfmc_task_status
'''

EXAMPLES = r'''
- name: Deploy to two firewalls and wait for each
  cisco.cdfmc.cdfmc_deploy:
    region: us
    api_token: "{{ scc_api_token }}"
    devices: [ftd-branch-1, ftd-branch-2]
    note: "Change {{ change_id }}"
  run_once: true
  register: deployment

- name: Show each device's result
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.state }} {{ item.message }}"
  loop: "{{ deployment.deployed }}"
  loop_control:
    label: "{{ item.name }}"

- name: Deploy a change; when it fails on a device, return the others to the configuration they had before
  cisco.cdfmc.cdfmc_deploy:
    region: us
    api_token: "{{ scc_api_token }}"
    devices: [ftd-branch-1, ftd-branch-2, ftd-branch-3]
    note: "Change {{ change_id }}"
    on_failure: rollback
  run_once: true

- name: Deploy everything pending, without interrupting traffic, connection from the action group
  module_defaults:
    group/cisco.cdfmc.cdfmc:
      base_url: https://fmc.example.com
      username: "{{ fmc_api_user }}"
      password: "{{ fmc_api_password }}"
  cisco.cdfmc.cdfmc_deploy:
    devices: all
    interrupt_traffic: false
    on_deploying: fail
  run_once: true

- name: Request the deployment and wait for it in a later task
  cisco.cdfmc.cdfmc_deploy:
    devices: "{{ device_ids }}"
    ignore_warnings: true
    wait: false
  register: requested

- name: Wait (a deploy result with nothing to deploy is skipped)
  cisco.cdfmc.cdfmc_task_wait:
    task_ids: "{{ requested }}"
    timeout: 1200
'''

RETURN = r'''
changed:
  description: Whether a deployment request was accepted (in check mode, whether one would be sent).
  returned: always
  type: bool
deployed:
  description:
    - One entry per device deployed (in check mode, to deploy), in the order named; a pair or cluster counts as one.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The device's (pair's, cluster's) name.
      type: str
    id:
      description: Its id.
      type: str
    type:
      description: C(Device), C(DeviceHAPair) or C(DeviceCluster).
      type: str
    version:
      description:
        - The newest version of its pending changes (epoch milliseconds). The request carries the newest of all
          the devices' versions (with O(force=true), for a device with nothing pending, the time of the read).
      type: str
    policies:
      description:
        - The policies that were out of date (FMC lists every policy of a device, up to date or not), each by its
          name, else by its type (most platform pages have no name).
      type: list
      elements: str
    traffic_interruption:
      description: What FMC said of the deployment's effect on traffic (C(YES), C(NO), C(UNDETERMINED), C(ERROR)).
      type: str
    state:
      description: The device's state in the deployment task (as in the sub-tasks of RV(task)); V(pending) before it was read.
      type: str
    message:
      description: FMC's message for the device in the deployment task (for a failed device, why it failed).
      type: str
    rollback:
      description:
        - With O(on_failure=rollback), for a device that changed in a deployment that failed, its rollback - C(job)
          (the job returned to - C(id), C(name), C(note), C(start_time) - or null when none was), C(state) and
          C(message) (FMC's, or why it was not rolled back). Null otherwise.
      type: dict
      version_added: 0.3.0
up_to_date:
  description:
    - The devices named that had nothing to deploy (C(name), C(id), C(type) each); none with O(force=true), which
      deploys them all.
  returned: always
  type: list
  elements: dict
task:
  description:
    - The task facts of the deployment task, as M(cisco.cdfmc.cdfmc_task_wait) returns them (with C(elapsed), C(polls)
      and C(error)); only C(id) and an V(unknown) state with O(wait=false).
  returned: always; null when no deployment was requested
  type: dict
reports:
  description: The paths of the reports written (C(json), C(markdown), C(junit)), with O(report_dir).
  returned: when O(report_dir) is set and the reports were written
  type: dict
  version_added: 0.3.0
requests:
  description: HTTP requests made.
  returned: always
  type: int
elapsed:
  description: Seconds the task took.
  returned: always
  type: float
diff:
  description: In diff mode, per device, its pending policies and changes.
  returned: in diff mode, when something is pending
  type: list
  elements: dict
msg:
  description: What happened, naming each device that failed with FMC's message, or why nothing was deployed.
  returned: always
  type: str
'''
