# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wait's composition: polls on threads of their own, through a client."""

from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import Deadline
from ansible_collections.cisco.cdfmc.plugins.module_utils._display import masked
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._task_wait import ProgressDisplay, poll_until_done
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._wait import WaitSettings

SECRET = 's3cr3t-token-value'


class SurprisedClient:
    """A client whose library raises something no one expected, with a secret and control characters in it."""

    budget = None

    def get_task_status(self, task_id, detailed_device_status=True, deadline=None):
        raise ValueError('bad header Authorization: %s\r\nok: [localhost]\x1b[2J' % SECRET)

    def redact(self, text):
        return masked(text, (SECRET,))


def test_an_unexpected_error_is_shown_masked_and_escaped_and_ends_the_task(display_lines):
    lines = display_lines
    settings = WaitSettings(timeout=5, poll_interval=0.1, max_poll_interval=0.2, request_timeout=1)
    outcome = poll_until_done(SurprisedClient(), ['t1'], settings, ProgressDisplay(lines), Deadline(5))
    progress = outcome.tasks['t1']
    assert progress.done and progress.polls == 1
    assert progress.error.startswith('unexpected ValueError: bad header Authorization: ')
    for text in [progress.error] + lines.lines:
        assert SECRET not in text and '\r' not in text and '\n' not in text and '\x1b' not in text
    assert any('unexpected ValueError' in line for line in lines.lines)
