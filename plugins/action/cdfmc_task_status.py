# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs the cdfmc_task_status module with empty-string options removed and the task id checked.

AWX and templated defaults pass "" for options left empty; removed here, they
count as unset, so the module's environment fallbacks and defaults apply even
to typed options (bool, int, float, choices) that would refuse "".
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.cisco.cdfmc.plugins.module_utils._connection import validate_task_id
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        # The task id stays even when empty, so that its refusal names it.
        module_args = dict((name, value) for name, value in self._task.args.items()
                           if value != '' or name in ('task_id', 'id'))
        base_url = module_args.get('base_url')
        if isinstance(base_url, str) and '@' in base_url:
            # Refused here: the module would show its arguments, and these hold credentials.
            result.update(failed=True, msg='base_url must not contain credentials; give them with api_token, '
                                           'or username and password')
            return result
        task_id = module_args.get('task_id', module_args.get('id'))
        if isinstance(task_id, str):
            # Refused here, before a module is shipped (a NUL in it would even stop the module's logging).
            try:
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
