# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Event-Driven Ansible source cisco.cdfmc.fmc_events: deployments and rollbacks that ended, and changes pending too
long, on a Firewall Management Center (cdFMC or on-prem)."""

DOCUMENTATION = r'''
name: fmc_events
short_description: Events from Firewall Management Center deployments, rollbacks and pending changes
version_added: 0.3.0
description:
  - An Event-Driven Ansible (ansible-rulebook) source that polls a cdFMC or an on-prem FMC and puts one event per
    change, so that a rulebook can act on it (for example, roll back the devices of a failed deployment).
  - C(deployment) events (the default kind) come from FMC's deployment job history. When a DEPLOYMENT or ROLLBACK
    job has ended (succeeded, failed, partially succeeded, aborted), the source puts one event for the job, then one
    per device that took part in it. Jobs of type UNKNOWN (FMC's own system jobs) are left out, as are devices that
    took no part (status NONE).
  - C(pending) events (off by default) come from FMC's deployable list. The source puts one event per device and
    pending C(version) once the device has been listed with that version for O(pending_older_than) seconds or more.
    The age counts from when the source first saw that version (FMC's C(versionTimeStamp) values mix
    milliseconds, seconds and 0 and cannot be trusted for an age), or last saw the device being deployed; a version
    seen before a restart keeps its age when O(state_dir) or O(budget_url) keeps what has been seen.
  - "Every event is C({cdfmc: {kind, id, state, ...}}). C(cdfmc.id) is stable: C(deployment:<job id>) for a job,
    C(deployment:<job id>:<device id>) for a device of it, C(pending:<device id>:<version>) for pending changes; a
    rulebook should use it to drop duplicates (delivery is at least once: see below). C(cdfmc.state) is the collection's state word (succeeded, failed,
    cancelled, unknown; pending), through O(status_map) and the built-in table, as the task modules map them; a
    partial success is C(failed) with FMC's word in C(cdfmc.message), and so is a job where a device failed,
    whatever FMC's word for the job."
  - "A job event has C(job) (C(id), C(name), C(type) DEPLOYMENT or ROLLBACK, C(note), C(user), C(start_time),
    C(end_time), the times as FMC writes them), C(devices) (each device with C(id), C(name), C(type), C(state) and
    C(container): its HA pair or cluster as C({id, name}), or null) and C(message): FMC's job status word
    (job history carries no other message). A device event has C(device) (C(id), C(name), C(type)), C(container),
    C(job) and C(message), the device's status word. A pending event has C(device) (C(id), C(name), C(type):
    Device, DeviceHAPair or DeviceCluster), C(version), C(pending_since) (when the source first saw that version,
    or last saw the device being deployed; ISO 8601 UTC), C(policies) (the out-of-date policies by name, else by type) and C(message) (FMC's, or null).
    ansible-rulebook adds C(meta) to every event; the source sets none. Server text is escaped, and long text
    cut."
  - What has been seen is kept by job id (a long job is followed until it ends, whenever it started), in the shared
    Redis of O(budget_url) when it is set (so an activation that restarts, on any node, misses no event that ended
    while it was down), else in a file of O(state_dir) when that is set, else in memory only. Delivery is at least
    once, since the events of a poll are put before what has been seen is saved, so a crash between the two puts
    them again after the restart; drop duplicates by C(cdfmc.id).
    With neither, or the first time, the jobs that ended before the source started are taken as seen and give no
    event; jobs running then give their events when they end. At most 10000 ended job ids are kept, and only
    while their start lies in the window the source reads (past that, the window starts after the oldest, with a
    warning); a source stopped for more than 7 days starts afresh (the Redis key expires, the file is taken as
    empty).
    With O(budget_url), O(state_dir) is not used (a file of one node is not what an activation restarted on
    another finds). While the store cannot be used, this run's memory takes its place, with one warning. When
    what was kept cannot be read at the start, the source starts afresh in memory, writes nothing over it, and
    reads it at each poll until it can; then the jobs that ended meanwhile give their events (some may come twice).
  - Each poll sends one request to job history when nothing changes (one more for the deployable list with
    C(pending), and one more for the deployments running now on the first poll of a run, on each poll while a job
    is followed, and every 30 minutes), through the
    collection's request budget (shared with the modules through O(budget_url)). With the default 15 s that is 4
    requests a minute. An event comes at most O(poll_interval) seconds after FMC lists the change.
  - Faults do not stop the source. Rate limits (429, Retry-After honoured), server errors, timeouts, an expired
    on-prem login and a server down for minutes are retried as the modules retry them; a poll that fails is logged
    once per outage (and once when the server answers again), with secrets masked and server text escaped, and the
    next poll reads everything again. The source never returns on its own; cancelled (ansible-rulebook stopping),
    it ends at once.
  - A bad argument fails the source when it starts, with a message that names it; secrets are never shown.
  - Each activation that watches the same FMC through the same O(budget_url) or O(state_dir) needs its own
    O(state_name). Two with one O(state_name) do not share the work; each puts every event (duplicates), and
    each overwrites what the other saved.
  - Job and device ids that are not plain identifiers (letters, digits, C(._:-)) are left out, with one warning.
author:
  - cisco.cdfmc maintainers (@cisco)
extends_documentation_fragment:
  - cisco.cdfmc.connection
options:
  poll_interval:
    description:
      - Seconds between two polls (0.1 or more). Shorter intervals spend more of the request budget.
    type: float
    default: 15.0
  kinds:
    description:
      - The kinds of events to put.
    type: list
    elements: str
    choices: [deployment, pending]
    default: [deployment]
  pending_older_than:
    description:
      - With C(pending) in O(kinds), the seconds a device's pending version must have been listed before its event.
    type: float
    default: 900.0
  state_dir:
    description:
      - A directory (made private when missing) for a file that keeps what has been seen across restarts, when
        O(budget_url) is not set (with it, what has been seen is kept in its Redis only).
    type: path
  state_name:
    description:
      - The name of what has been seen, per FMC, in O(budget_url) or O(state_dir). Give each source that watches
        the same FMC its own name.
    type: str
    default: default
  status_map:
    description:
      - Extra raw status to state mappings (case-insensitive keys; values pending, running, succeeded, failed,
        cancelled, unknown), checked before the built-in table, as the task modules take them.
    type: dict
notes:
  - ansible-rulebook runs the source from the installed collection; the source imports the collection's own code
    from its location, so nothing needs to be on C(PYTHONPATH). It needs the Python library C(requests), and
    C(redis) with O(budget_url), where ansible-rulebook runs (the decision environment).
  - The connection arguments may also come from the collection's environment variables (C(CDFMC_API_TOKEN),
    C(CDFMC_BASE_URL), C(CDFMC_BUDGET_URL), and the others of the connection options), as AAP's credential types
    inject them.
'''

EXAMPLES = r'''
- name: Roll back the devices of a failed FMC deployment
  hosts: all
  sources:
    - name: FMC deployment jobs
      cisco.cdfmc.fmc_events:
        kinds: [deployment]
        poll_interval: 15
        state_dir: /var/lib/eda/cdfmc
  rules:
    - name: A deployment job failed
      condition: >-
        event.cdfmc.kind == "deployment" and event.cdfmc.device is not defined
        and event.cdfmc.job.type == "DEPLOYMENT" and event.cdfmc.state == "failed"
      action:
        run_playbook:
          name: cisco.cdfmc.rollback_failed_deployment
          extra_vars:
            cdfmc_job_id: "{{ event.cdfmc.job.id }}"
            # Each device once: a member of an HA pair or cluster as its container (FMC rolls the pair back).
            cdfmc_devices: >-
              {{ (event.cdfmc.devices | rejectattr('container') | map(attribute='id') | list)
              + (event.cdfmc.devices | selectattr('container') | map(attribute='container.id') | unique | list) }}

- name: Tell someone of changes pending for an hour
  hosts: all
  sources:
    - cisco.cdfmc.fmc_events:
        base_url: https://fmc.example.com
        kinds: [pending]
        pending_older_than: 3600
        state_dir: /var/lib/eda/cdfmc
  rules:
    - name: Changes pending too long
      condition: event.cdfmc.kind == "pending"
      action:
        debug:
          msg: "{{ event.cdfmc.device.name }} has had changes pending since {{ event.cdfmc.pending_since }}"
'''

import os  # noqa: E402
import sys  # noqa: E402


def _collections_root():
    """The directory that holds this collection's ``ansible_collections`` (the source lies in
    ansible_collections/cisco/cdfmc/extensions/eda/plugins/event_source), or None when it does not lie there."""
    root = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), *(['..'] * 7)))
    return root if os.path.isdir(os.path.join(root, 'ansible_collections', 'cisco', 'cdfmc')) else None


# ansible-rulebook runs a source with runpy and no collection loader: the collection's own code is imported from
# where the source is.
_ROOT = _collections_root()
if _ROOT is not None and _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from ansible_collections.cisco.cdfmc.plugins.plugin_utils._event_source import run  # noqa: E402


async def main(queue, args):
    """Put the events of the FMC that ``args`` names on ``queue``, until cancelled (see DOCUMENTATION)."""
    await run(queue, args)


if __name__ == '__main__':
    import asyncio

    class PrintQueue:
        async def put(self, event):
            print(event)

    asyncio.run(main(PrintQueue(), {}))
