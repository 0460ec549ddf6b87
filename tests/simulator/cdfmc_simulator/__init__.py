# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small HTTPS server that speaks the cdFMC task status API, for tests and demos."""

from .api import GLOBAL_DOMAIN_UUID, Simulator  # noqa: F401
