# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the collection's action plugins share: they do their work on the controller, from options read once, and
return their result as data; the base action owns the rest of it (the invocation, the error boundary, text made
safe to show, the client closed)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible.plugins.action import ActionBase

from ansible_collections.cisco.cdfmc.plugins.module_utils._client import connect
from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import Deadline
from ansible_collections.cisco.cdfmc.plugins.module_utils._display import escaped, unexpected
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcError
from ansible_collections.cisco.cdfmc.plugins.module_utils._options import OptionAdapter
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._reports import documents, report_target, write_reports


class ActionRun:
    """What one run of an action plugin works with: its checked ``options`` (an OptionAdapter), its one
    ``deadline`` (a Deadline started with the task, with the run's stop, unbounded until the options give it a
    timeout), the ``display``, ``check_mode`` and ``diff_mode``, and the ``caller`` (which task of the play on which
    host: ``{task, host}``); ``warn(text)`` adds a warning to the result, and
    ``client()`` is the client of these options, connected on first use (``close()`` ends it)."""

    def __init__(self, options, deadline, display, check_mode=False, diff_mode=False, caller=None):
        self.options, self.deadline, self.display = options, deadline, display
        self.check_mode, self.diff_mode = check_mode, diff_mode
        self.caller = dict(caller or {})
        self.warnings = []
        self._client = None

    def warn(self, text):
        self.warnings.append(text)

    def client(self):
        if self._client is None:
            self._client = connect(self.options.connection(), warn=self.warn, log=self.display.vvvv,
                                   notice=self.display.display, clock=self.deadline.clock)
        return self._client

    def redact(self, text):
        """``text`` with every secret of the options, and of the login once there is one, masked."""
        text = self.options.masked(text)
        return self._client.redact(text) if self._client is not None else text

    def close(self):
        """Close the client; the number of requests it made (None when none was connected)."""
        if self._client is None:
            return None
        self._client.close()
        return self._client.request_count


class ControllerAction(ActionBase):
    """An action plugin that talks HTTP from the controller itself (no module is sent).

    A subclass names itself (``NAME``), gives its argument spec (``argument_spec``), the options whose empty
    value stays so that the refusal names them (``KEEP_EMPTY``), the keys every result of its has whatever
    happens (``RESULT``, with their values when nothing was done; ``elapsed`` in it: the seconds the task took),
    and does its work in ``act``.
    """

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    NAME = None
    KEEP_EMPTY = ()
    RESULT = {}

    def argument_spec(self):
        raise NotImplementedError

    def act(self, run):
        """The result of the task for its ActionRun, as a dict (``failed``, ``msg``, ``warnings``: see run()); a
        CdfmcError ends it as a failure with its message."""
        raise NotImplementedError

    def report(self, result, options, server, name):
        """The _reports.Report of a result (named ``name``, of ``server``), for a plugin whose options have
        ``report_dir``."""
        raise NotImplementedError

    def run(self, tmp=None, task_vars=None):
        deadline = Deadline()  # one deadline for everything the task does, from here
        # Which task of the play, on which host: what a deployment records for the forks of the same run.
        caller = {'task': getattr(self._task, '_uuid', None), 'host': (task_vars or {}).get('inventory_hostname')}
        result = super(ControllerAction, self).run(tmp, task_vars)
        del tmp
        try:
            options = OptionAdapter.from_arguments(self._task.args, self.argument_spec(), keep_empty=self.KEEP_EMPTY,
                                                   name=self.NAME)
        except CdfmcError as exc:
            # Only the message (secrets masked): ansible-core would show the arguments with a failed validation.
            result.update(failed=True, msg=escaped(str(exc)))
            return result
        run = ActionRun(options, deadline, self._display, self._play_context.check_mode, self._play_context.diff,
                        caller)
        result.update(copy.deepcopy(self.RESULT), changed=False, invocation=options.invocation())
        try:
            target = report_target(options, self.NAME.split('.')[-1]) if 'report_dir' in options.options else None
        except CdfmcError as exc:
            result.update(failed=True, msg=escaped(str(exc)))  # before anything is sent
            return result
        result.update(self._outcome(run))
        if 'elapsed' in self.RESULT:
            result['elapsed'] = round(deadline.elapsed(), 3)
        if run.warnings:
            result['warnings'] = [escaped(warning) for warning in run.warnings]
        if target is not None:
            self._write_reports(run, result, target)
        return result

    def _write_reports(self, run, result, target):
        """Write the reports of ``result`` into the directory ``target`` names, whatever the result; their paths in
        ``reports``. Reports that cannot be written fail the task, saying where and why (what it did is kept)."""
        directory, name = target
        try:
            server = run.options.connection().server
        except CdfmcError:
            server = '-'
        try:
            report = self.report(result, run.options, run.redact(server), name)
            result['reports'] = write_reports(directory, name, documents(result, report, run.deadline.clock.now(),
                                                                         run.redact))
        except Exception as exc:  # pylint: disable=broad-except
            # A full disk, or a result this code did not foresee: the task's own outcome must not be lost.
            problem = str(exc) if isinstance(exc, OSError) else unexpected(exc, run.redact)
            result.update(failed=True, msg=escaped(run.redact('%s; the reports could not be written to %s: %s' % (
                result.get('msg') or 'the task ended', directory, problem))))

    def _outcome(self, run):
        """What act() returns, or the failure it ended with; with the requests made, and ``msg`` escaped (it holds
        server text)."""
        try:
            outcome = self.act(run)
        except CdfmcError as exc:
            outcome = dict(failed=True, msg=str(exc))
        except Exception as exc:  # pylint: disable=broad-except
            # A bug or a library's surprise: its text is shown, so secrets are masked and controls escaped.
            outcome = dict(failed=True, msg=unexpected(exc, run.redact))
        finally:
            requests = run.close()
        if requests is not None:
            outcome['requests'] = requests
        if 'msg' in outcome:
            outcome['msg'] = escaped(outcome['msg'])
        return outcome
