# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs the cdfmc_task_status module with empty-string options removed and the task id checked.

AWX and templated defaults pass "" for options left empty; removed here, they
count as unset, so the module's environment fallbacks and defaults apply even
to typed options (bool, int, float, choices) that would refuse "". The module
reads the environment where it runs, so nothing else is resolved here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.cisco.cdfmc.plugins.module_utils._urls import refuse_url_credentials, validate_task_id
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError
from ansible_collections.cisco.cdfmc.plugins.module_utils._options import drop_empty


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        # The task id stays even when empty, so that its refusal names it.
        module_args = drop_empty(self._task.args, keep=('task_id', 'id'))
        try:
            # Refused here, before a module is shipped: the module would show its arguments, and a base_url with
            # credentials holds them; a NUL in a task id would even stop the module's logging.
            refuse_url_credentials(module_args.get('base_url'))
            task_id = module_args.get('task_id', module_args.get('id'))
            if isinstance(task_id, str):
                validate_task_id(task_id)
        except CdfmcOptionError as exc:
            result.update(failed=True, msg=str(exc))
            return result
        wrap_async = self._task.async_val and not self._connection.has_native_async
        result.update(self._execute_module(module_name='cisco.cdfmc.cdfmc_task_status', module_args=module_args,
                                           task_vars=task_vars, wrap_async=wrap_async))
        if not wrap_async:
            # As ansible.builtin.normal does: async jobs clean up after themselves.
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result
