# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cdfmc_task_wait: waits on tasks from the controller, talking HTTP itself (no module per poll)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible.plugins.action import ActionBase

from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcError
from ansible_collections.cisco.cdfmc.plugins.module_utils._options import OptionAdapter
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._task_wait import task_wait
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._wait import wait_argument_spec

# Options whose empty value stays, so that the refusal names them ("task_ids is empty").
_KEEP_EMPTY = ('task_ids', 'task_id', 'tasks')


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        # One deadline for everything, from here: the login, the domain lookup and every poll.
        started = time.monotonic()
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        try:
            options = OptionAdapter.from_arguments(self._task.args, wait_argument_spec(), keep_empty=_KEEP_EMPTY,
                                                   name='cisco.cdfmc.cdfmc_task_wait')
        except CdfmcError as exc:
            # Only the message (secrets masked): ansible-core would show the arguments with a failed validation.
            result.update(failed=True, msg=str(exc))
            return result
        result.update(task_wait(options, self._display, check_mode=self._play_context.check_mode, started=started))
        return result
