#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file only documents the action plugin of the same name, which does the work on the controller.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cdfmc_rollback
short_description: Return Firewall Management Center devices to a configuration deployed before
version_added: 0.3.0
description:
  - Returns the devices named to a configuration that an earlier deployment job gave them, with FMC's configuration
    rollback (FMC 6.7 and later, and cdFMC), in one rollback request, then waits for it and returns each device's
    result.
  - The configuration to return to is chosen per device from FMC's deployment job history. A device's current
    configuration is the newest job in which it succeeded (a failed deployment leaves the running configuration as
    it was). With none of O(job_id), O(note), O(before_note) and O(before_job_id), a device returns to the
    configuration before its current one. The job returned to must be a deployment in which the device succeeded, one of the last ten that
    FMC keeps, and one FMC offers for rollback (C(canRollback)).
  - Everything is checked before anything is sent. A device that has no job to return to (none succeeded, beyond
    the last ten, C(canRollback) false, the job is its current configuration, or the configuration before came from
    a rollback) or that is deploying fails the task with the reason, and nothing is rolled back.
  - Idempotent by FMC's own rule. FMC allows another rollback of a device only after a new deployment to it, so a
    device whose current configuration is a rollback is left as it is, named in RV(unchanged); when every device is,
    the task is V(ok).
  - A rolled-back device is out of date in FMC (the changes since the job returned to are pending again), so the
    next M(cisco.cdfmc.cdfmc_deploy) to it deploys them again. RV(msg) says so.
  - Every rollback interrupts traffic through the device (connections and routes are dropped).
  - The request names each device by the ids the job history lists for it - for an HA pair or a cluster, its
    members. FMC does not document how a pair or cluster is named in a rollback request; this follows its job
    history, and a pair or cluster is rolled back only where FMC says C(canRollback) for every member.
  - The rollback is followed through its task when FMC's answer names one, else through the ROLLBACK jobs that it
    adds to the deployment job history (per device, its newest ROLLBACK job that was not there before the
    request).
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
    description: Not supported; the rollback is waited for by the task itself.
    support: none
  check_mode:
    description: Reads each device's jobs and returns the job it would return to in RV(rolled_back); sends nothing.
    support: full
  diff_mode:
    description: Shows, per device, the job of its current configuration before and the job it returns to after.
    support: full
options:
  devices:
    description:
      - The devices, HA pairs or clusters to roll back, by name or id (V(all) is not accepted). Ids match first,
        then exact names; a member of a pair or cluster is rolled back with it.
    type: raw
    required: true
  job_id:
    description:
      - Return to the configuration that this job of FMC's deployment history deployed.
      - Mutually exclusive with O(note), O(before_note) and O(before_job_id).
    type: str
  note:
    description:
      - Return to the configuration that the newest deployment job with exactly this note (C(deploymentNote))
        deployed, per device (the newest such job in which it succeeded).
      - Mutually exclusive with O(job_id), O(before_note) and O(before_job_id).
    type: str
  before_note:
    description:
      - Return each device to the configuration it had before the newest deployment job with exactly this note
        changed it ("undo change X"). When later jobs changed it too, their changes are undone as well.
      - Mutually exclusive with O(job_id), O(note) and O(before_job_id).
    type: str
  before_job_id:
    description:
      - Return each device to the configuration it had before this DEPLOYMENT job of FMC's deployment history
        changed it (it succeeded, or partially succeeded, there) - what
        O(cisco.cdfmc.cdfmc_deploy#module:on_failure=rollback) of M(cisco.cdfmc.cdfmc_deploy) does, for a job that
        ended earlier (for example, the job of a C(cisco.cdfmc.fmc_events) event).
      - A device that took part in the job without changing (it failed there) is left as it is, named in
        RV(unchanged) with the reason. A job that is not a deployment (a ROLLBACK job) is refused, so that an
        automation that undoes failed jobs cannot undo its own rollbacks.
      - A device that a newer deployment changed since the job (it succeeded, or partially succeeded, there) is left
        as it is, never rolled back, and named in RV(unchanged) with that deployment's job ("deployed again since job
        X (job Y)"). An event can come late (a restarted source, a queued job, a duplicate), and undoing the job then
        would undo the later, good deployments too. To roll back past them, name the configuration with O(job_id),
        or undo the change with O(before_note).
      - Mutually exclusive with O(job_id), O(note) and O(before_note).
    type: str
  wait:
    description:
      - Wait for the rollback to end. When V(false), return as soon as FMC accepted the request, with the task id in
        RV(task) when FMC named one.
    type: bool
    default: true
  timeout:
    description:
      - Seconds for everything, from the start of the task - reading the jobs, the request and the wait. It must be
        positive.
    type: int
    default: 1800
  poll_interval:
    description:
      - Seconds between two polls of the rollback task (or of the job history, when FMC named no task) while the
        request budget has room.
    type: float
    default: 5
  max_poll_interval:
    description:
      - Longest gap between two polls of the rollback task when the request budget is busy.
    type: float
    default: 30
  not_found_grace:
    description:
      - Seconds during which the new rollback task may answer HTTP 404 (FMC can take seconds to show it).
    type: int
    default: 60
  fail_on_failure:
    description:
      - Fail when the rollback failed on any device. When V(false), return the results instead.
    type: bool
    default: true
notes:
  - An FMC older than 6.7 has no rollback (and no job history); the task fails saying so.
  - The rollback request is sent again only when nothing of it reached FMC (a refused connection, HTTP 429); when
    it may have reached FMC without an answer, the task fails saying that a rollback may have started.
  - The devices' jobs are read and the request is sent under the lock that serialises the deployments and rollbacks
    of this host's forks; use C(run_once), with the list of devices.
  - Job notes, names and FMC's messages are server text; in progress lines, RV(msg) and the diff their control
    characters are shown escaped.
seealso:
  - module: cisco.cdfmc.cdfmc_deploy
  - module: cisco.cdfmc.cdfmc_task_wait
'''

EXAMPLES = r'''
- name: Undo change 4711 on two firewalls
  cisco.cdfmc.cdfmc_rollback:
    region: us
    api_token: "{{ scc_api_token }}"
    devices: [ftd-branch-1, ftd-branch-2]
    before_note: "Change 4711"
  run_once: true
  register: undone

- name: Show what each device returned to
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.state }}, now at {{ item.job.name }} ({{ item.job.note }})"
  loop: "{{ undone.rolled_back }}"
  loop_control:
    label: "{{ item.name }}"

- name: Return an HA pair to the configuration of one job
  cisco.cdfmc.cdfmc_rollback:
    base_url: https://fmc.example.com
    username: "{{ fmc_api_user }}"
    password: "{{ fmc_api_password }}"
    devices: [ftd-ha-dc1]
    job_id: 0050568B-9937-0ed3-0000-463856468766
  run_once: true

- name: Which job would each device return to? (check mode sends nothing)
  cisco.cdfmc.cdfmc_rollback:
    devices: "{{ site_firewalls }}"
  check_mode: true
  run_once: true
'''

RETURN = r'''
changed:
  description: Whether a rollback request was accepted (in check mode, whether one would be sent).
  returned: always
  type: bool
rolled_back:
  description: One entry per device rolled back (in check mode, to roll back), in the order named.
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
    job:
      description: The job whose configuration it returns to - C(id), C(name), C(note) and C(start_time) (as FMC
        writes it, ISO 8601).
      type: dict
    state:
      description: Its state in the rollback (V(pending) before it was read, and in check mode).
      type: str
    message:
      description: FMC's message for the device (for a failed device, why it failed).
      type: str
unchanged:
  description:
    - The devices left as they are because their current configuration is a rollback (C(name), C(id), C(type),
      C(job) - that rollback job - and C(message)), and, with O(before_job_id), those that job did not change and
      those that a newer deployment changed since (C(job) is then the job of their current configuration, or null,
      and C(message) says why).
  returned: always
  type: list
  elements: dict
refused:
  description: The devices that have nothing to return to, each with its C(reason) (then nothing was sent).
  returned: when devices were refused
  type: list
  elements: dict
task:
  description:
    - The task facts of the rollback task, as M(cisco.cdfmc.cdfmc_task_wait) returns them; null when no request was
      sent or FMC's answer named no task.
  returned: always
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
  description: In diff mode, per device, the job of its current configuration and the job it returns to.
  returned: in diff mode, when something is to be rolled back
  type: list
  elements: dict
msg:
  description: What happened - each device and the job it returned to, what failed with FMC's message, or why
    nothing was sent.
  returned: always
  type: str
'''
