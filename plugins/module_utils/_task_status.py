# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reading tasks once each, as cdfmc_task_status and the task_status lookup do.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It talks HTTP through the client.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cisco.cdfmc.plugins.module_utils._client import connect
from ansible_collections.cisco.cdfmc.plugins.module_utils._urls import validate_task_id
from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import Deadline
from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import StatusMapper, task_facts
from ansible_collections.cisco.cdfmc.plugins.module_utils._retry import call_bound


def read_tasks(options, task_ids, warn=None, log=None):
    """The task facts of each of ``task_ids``, read once, for an entry point's options (an OptionAdapter).

    One deadline covers the whole call, every task: (max_retries + 1) x request_timeout plus the longest waits
    allowed between attempts. Every id is checked before the first request.
    """
    task_ids = [validate_task_id(task_id) for task_id in task_ids]
    settings = options.connection()
    mapper = StatusMapper(options['status_map'], warn=warn)
    deadline = Deadline(call_bound(settings.max_retries, settings.request_timeout))
    with connect(settings, warn=warn, log=log) as client:
        return [task_facts(task_id, client.get_task_status(task_id, options['detailed_device_status'], deadline),
                           mapper, include_raw=options['include_raw'])
                for task_id in task_ids]
