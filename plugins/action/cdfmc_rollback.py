# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cdfmc_rollback: returns devices to a configuration deployed before and waits for each device's result, from the
controller."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cisco.cdfmc.plugins.plugin_utils._action import ControllerAction
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._reports import rollback_report
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._rollback import rollback, rollback_argument_spec


class ActionModule(ControllerAction):
    """One deadline covers reading the jobs, the request and the wait."""

    NAME = 'cisco.cdfmc.cdfmc_rollback'
    KEEP_EMPTY = ('devices',)
    RESULT = {'rolled_back': [], 'unchanged': [], 'task': None, 'requests': 0, 'elapsed': 0.0}

    def argument_spec(self):
        return rollback_argument_spec()

    def act(self, run):
        return rollback(run)

    def report(self, result, options, server, name):
        return rollback_report(result, options['devices'], server, name)
