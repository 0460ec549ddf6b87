# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""FMC's deployment API, as cdfmc_deploy and cdfmc_rollback use it: the deployable list, the job history (recent,
or one device's), a device's pending changes, and the deployment and rollback requests. One function each, through
the client, returning what FMC answered as data.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It is controller-only; it talks HTTP through the client it is given.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections

from ansible_collections.cisco.cdfmc.plugins.module_utils._urls import validate_identifier
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcRequestError
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._deploy_plan import task_id_in
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._jobs import read_job, recent, window_filter

DEPLOYABLE_PATH = '/deployment/deployabledevices'
JOBS_PATH = '/deployment/jobhistories'
REQUEST_PATH = '/deployment/deploymentrequests'
ROLLBACK_PATH = '/deployment/rollbackrequests'
# Jobs of the last hours are read: a job still deploying blocks its devices, whenever it started.
RECENT = 6 * 3600
# FMC's filter for the jobs deploying now, which terraform-provider-fmc uses against real FMCs.
DEPLOYING_JOBS = 'jobType:DEPLOYMENT;status:DEPLOYING'

# The recent jobs (read by _jobs.read_job), or ``missing``: why FMC has none to give (None when it has).
JobHistory = collections.namedtuple('JobHistory', 'jobs missing')
# One device's jobs (read by _jobs.read_job), plainly and with rollbackApplicable (``allowed``), or ``missing``.
DeviceJobs = collections.namedtuple('DeviceJobs', 'jobs allowed missing')
# FMC's answer to a deployment request: the task id it names (None: none that can be used), or the error the request
# failed with (None: accepted).
RequestAnswer = collections.namedtuple('RequestAnswer', 'task_id error')


def read_deployable(client, deadline):
    """The deployable list: every device with something to deploy, as FMC lists it (expanded)."""
    return client.all_items(client.config_path(DEPLOYABLE_PATH), deadline, params={'expanded': 'true'})


def read_jobs(client, deadline, mapper, now):
    """The jobs that started in the last RECENT seconds before ``now`` (the wall clock), and the deployments
    deploying now, read as FMC writes them. An FMC without job history (before 6.7) answers 404: then none, and the
    answer says why."""
    path = client.config_path(JOBS_PATH)
    try:
        # The window's end lies ahead: how FMC matches a job still running (with no endTime) is not described.
        window = client.all_items(path, deadline, params={
            'filter': window_filter(now - RECENT, now + RECENT), 'expanded': 'true'})
        deploying = client.all_items(path, deadline, params={'filter': DEPLOYING_JOBS, 'expanded': 'true'})
    except CdfmcRequestError as exc:
        if exc.status != 404:
            raise
        return JobHistory([], str(exc))
    # The window is checked again (its filter is not trusted alone); a job deploying now counts whenever it started.
    return JobHistory(recent([read_job(item, mapper) for item in window], (now - RECENT) * 1000) + [
        job for job in (read_job(item, mapper) for item in deploying) if job is not None], None)


def read_device_jobs(client, device, deadline, mapper, allowed=True):
    """Every job of one device (pair, cluster: job history lists their members, so the first member's), read as FMC
    writes them, twice: plainly, and with ``rollbackApplicable:true`` (which gives ``canRollback``, and nothing of
    status, times or notes; only when ``allowed``). An FMC without job history (before 6.7) answers 404: then none,
    and the answer says why."""
    path = client.config_path(JOBS_PATH)
    member = (device.get('members') or [device])[0]['id']
    device_filter = 'deviceUUID:%s' % validate_identifier(member, 'device id')
    try:
        plain = client.all_items(path, deadline, params={'filter': device_filter, 'expanded': 'true'})
        filtered = client.all_items(path, deadline, params={'filter': device_filter + ';rollbackApplicable:true',
                                                            'expanded': 'true'}) if allowed else []
    except CdfmcRequestError as exc:
        if exc.status != 404:
            raise
        return DeviceJobs([], [], str(exc))
    return DeviceJobs([read_job(item, mapper) for item in plain], [read_job(item, mapper) for item in filtered], None)


def read_pending_changes(client, device_id, deadline):
    """The pending changes of one device, entity by entity (not every FMC offers them: an error then)."""
    path = client.config_path('%s/%s/pendingchanges' % (DEPLOYABLE_PATH, validate_identifier(device_id, 'device id')))
    return client.all_items(path, deadline, params={'expanded': 'true'})


def request_deployment(client, body, deadline):
    """POST the deployment request ``body``; FMC's answer (a RequestAnswer). The request is sent once: the client
    retries a POST only when nothing reached FMC."""
    try:
        answer = client.request('POST', client.config_path(REQUEST_PATH), json_body=body, deadline=deadline).body
    except CdfmcRequestError as exc:
        return RequestAnswer(None, exc)
    return RequestAnswer(task_id_in(answer), None)


def request_rollback(client, body, deadline):
    """POST the rollback request ``body``; FMC's answer (a RequestAnswer: Cisco's own example of the answer names no
    task, so ``task_id`` None is an answer too). The client sends it again only when nothing reached FMC."""
    try:
        answer = client.request('POST', client.config_path(ROLLBACK_PATH), json_body=body, deadline=deadline).body
    except CdfmcRequestError as exc:
        return RequestAnswer(None, exc)
    return RequestAnswer(task_id_in(answer), None)
