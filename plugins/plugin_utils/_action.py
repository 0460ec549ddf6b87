# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the collection's action plugins share: they do their work on the controller, from options read once."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import Deadline
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcError
from ansible_collections.cisco.cdfmc.plugins.module_utils._options import OptionAdapter


class ControllerAction(ActionBase):
    """An action plugin that talks HTTP from the controller itself (no module is sent).

    A subclass names itself (``NAME``), gives its argument spec (``argument_spec``), the options whose empty
    value stays so that the refusal names them (``KEEP_EMPTY``), and does its work in ``act``.
    """

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    NAME = None
    KEEP_EMPTY = ()

    def argument_spec(self):
        raise NotImplementedError

    def act(self, options, deadline):
        """The result, for options read (an OptionAdapter) and the task's Deadline: started with the task, with no
        bound until the options give one, and the run's stop."""
        raise NotImplementedError

    def run(self, tmp=None, task_vars=None):
        # One deadline for everything the task does, from here.
        deadline = Deadline()
        result = super(ControllerAction, self).run(tmp, task_vars)
        del tmp
        try:
            options = OptionAdapter.from_arguments(self._task.args, self.argument_spec(), keep_empty=self.KEEP_EMPTY,
                                                   name=self.NAME)
        except CdfmcError as exc:
            # Only the message (secrets masked): ansible-core would show the arguments with a failed validation.
            result.update(failed=True, msg=str(exc))
            return result
        result.update(self.act(options, deadline))
        return result
