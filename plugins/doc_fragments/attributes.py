# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # A plugin that only reads (cdfmc_task_status, cdfmc_task_wait): check mode runs it as usual. cdfmc_deploy and
    # cdfmc_rollback, which change what devices run, state their own check and diff mode.
    DOCUMENTATION = r'''
attributes:
  check_mode:
    description: Read-only; runs normally in check mode.
    support: full
  diff_mode:
    description: Nothing changes, so there is no diff.
    support: none
'''

    # The action plugins.
    CONTROLLER = r'''
attributes:
  action:
    description: Runs on the controller.
    support: full
'''

    ACTION_GROUP = r'''
attributes:
  action_group:
    description: Use C(group/cisco.cdfmc.cdfmc) in C(module_defaults) to set its options.
    support: full
    membership:
      - cisco.cdfmc.cdfmc
'''
