# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the unit tests share: the one fake clock, and connection settings built as an entry point builds them."""

from ansible_collections.cisco.cdfmc.plugins.module_utils._connection_spec import connection_argument_spec
from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import Deadline
from ansible_collections.cisco.cdfmc.plugins.module_utils._options import OptionAdapter

# A wall clock far from the monotonic one, so that a test mixing them up fails.
WALL_START = 1767225600.0  # 2026-01-01T00:00:00Z


class FakeClock:
    """Monotonic seconds (``ticks``) and the wall clock (``wall``) that move only when something sleeps on this
    clock or the test moves them (``advance``); every sleep is recorded (``sleeps``). A sleep with its stop set
    returns True at once, as an Event's wait does."""

    def __init__(self, ticks=1000.0, wall=WALL_START):
        self.ticks = float(ticks)
        self.wall = float(wall)
        self.sleeps = []

    def monotonic(self):
        return self.ticks

    def now(self):
        return self.wall

    def advance(self, seconds):
        self.ticks += seconds
        self.wall += seconds

    def sleep(self, seconds, stop):
        if stop.is_set():
            return True
        self.sleeps.append(seconds)
        self.advance(seconds)
        return stop.is_set()

    def deadline(self, seconds=None, stop=None):
        """A Deadline ``seconds`` from now on this clock."""
        return Deadline(seconds, clock=self, stop=stop)


def connection_settings(**options):
    """ConnectionSettings as an entry point builds them: through the option adapter (defaults from the spec)."""
    return OptionAdapter.from_arguments(options, connection_argument_spec()).connection()
