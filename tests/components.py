# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests that need a component from outside Python (redis-server, Java for ansible-rulebook) skip where it cannot
run, and fail instead where CI has installed it (.ci/run sets CDFMC_REQUIRE_REDIS and CDFMC_REQUIRE_EDA)."""

import os

import pytest


def skip_unless_required(missing, variable):
    """Skip the test for ``missing`` (why a component it needs cannot run here; None: it can), or fail it when the
    environment ``variable`` is 1."""
    if missing:
        if os.environ.get(variable) == '1':
            pytest.fail('%s=1 but %s' % (variable, missing))
        pytest.skip(missing)
