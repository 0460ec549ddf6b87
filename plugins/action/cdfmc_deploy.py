# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cdfmc_deploy: deploys what is pending on the devices named and waits for each device's result, from the
controller."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cisco.cdfmc.plugins.plugin_utils._action import ControllerAction
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._deploy import deploy, deploy_argument_spec
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._reports import deploy_report


class ActionModule(ControllerAction):
    """One deadline covers another deployment, the request, the wait and the settling."""

    NAME = 'cisco.cdfmc.cdfmc_deploy'
    KEEP_EMPTY = ('devices',)
    RESULT = {'deployed': [], 'up_to_date': [], 'task': None, 'requests': 0, 'elapsed': 0.0}

    def argument_spec(self):
        return deploy_argument_spec()

    def act(self, run):
        return deploy(run)

    def report(self, result, options, server, name):
        return deploy_report(result, options['devices'], server, name)
