# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cdfmc_task_wait: waits on tasks from the controller, talking HTTP itself (no module per poll)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cisco.cdfmc.plugins.plugin_utils._action import ControllerAction
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._reports import wait_report
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._task_wait import task_wait
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._wait import wait_argument_spec


class ActionModule(ControllerAction):
    """One deadline covers the login, the domain lookup and every poll."""

    NAME = 'cisco.cdfmc.cdfmc_task_wait'
    KEEP_EMPTY = ('task_ids', 'task_id', 'tasks')  # so that the refusal names them ("task_ids is empty")

    def argument_spec(self):
        return wait_argument_spec()

    def act(self, run):
        return task_wait(run)

    def report(self, result, options, server, name):
        return wait_report(result, server, name)
