# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # The per-device reports of cdfmc_deploy, cdfmc_rollback and cdfmc_task_wait (and so of the wait_for_tasks role).
    DOCUMENTATION = r'''
options:
  report_dir:
    description:
      - A directory on the controller for the reports of the run (relative to the working directory of
        C(ansible-playbook)), made (readable by its owner only) when it is not there; it is checked before anything
        is sent. Each run writes C(<report_name>.json) (the task's result, secrets masked), C(<report_name>.md) (a
        table per device) and C(<report_name>.junit.xml), and returns their paths in RV(reports). Unset writes
        none.
      - The JUnit file has one C(testsuite) per run (named O(report_name); the server and the task or job ids in its
        C(properties)) and one C(testcase) per device, named by the device's name under the fixed C(classname)
        C(cisco.cdfmc.<module>), so that CI keeps each device's history from run to run. A device that failed is a
        C(failure) with FMC's message; one that was not reached (refused before the request, or not finished when
        the time ran out), or that changed and whose rollback after a failure did not succeed, an C(error); one that
        succeeded, or had nothing to do, passes, with C(system-out) saying so; one not waited for (check mode,
        C(wait=false)) is C(skipped). A task that names no device (a task without per-device results) is a case
        named C(task <id>). Ids, the state and the task go in C(system-out).
      - The reports are written whatever the result once the options are valid, in check mode too (a check run
        replaces the reports of the same name), and all three replaced at once; files are readable by their owner
        only. When they cannot be written the task fails, saying where and why. Runs on several hosts need a
        O(report_name) each.
      - Server text is escaped and cut as in messages, and what XML cannot hold is replaced.
    type: path
    version_added: 0.3.0
  report_name:
    description:
      - The name of the reports' files, without extension, and of the JUnit C(testsuite) - 1 to 100 letters, digits,
        C(.), C(_) or C(-). The module's name (for example C(cdfmc_deploy)) when unset.
    type: str
    version_added: 0.3.0
'''
