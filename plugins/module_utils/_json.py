# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""JSON from outside (answers, headers, shared state files) decoded with a nesting limit.

A task status is a few levels deep. Anything nested far deeper is not one, and it would break whatever handles
it next: ansible-core cannot send a result back that is nested about a thousand levels deep, and Python's own
decoder gives up with RecursionError a little beyond that.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It does no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

MAX_DEPTH = 64


class TooDeep(ValueError):
    """JSON nested deeper than allowed."""


def nested_deeper_than(value, limit):
    """True when ``value`` (decoded JSON) holds containers nested more than ``limit`` levels deep."""
    level = [value]
    for _depth in range(limit):
        deeper = []
        for item in level:
            if isinstance(item, dict):
                deeper.extend(child for child in item.values() if isinstance(child, (dict, list)))
            elif isinstance(item, list):
                deeper.extend(child for child in item if isinstance(child, (dict, list)))
        if not deeper:
            return False
        level = deeper
    return True


def loads(text, max_depth=MAX_DEPTH):
    """Decode JSON text (or UTF-8 bytes); ValueError for anything that is not JSON, TooDeep (a ValueError) for
    JSON nested deeper than ``max_depth`` levels."""
    if isinstance(text, bytes):
        text = text.decode('utf-8')
    try:
        value = json.loads(text)
    except RecursionError:
        raise TooDeep('JSON nested deeper than %d levels' % max_depth)
    if nested_deeper_than(value, max_depth):
        raise TooDeep('JSON nested deeper than %d levels' % max_depth)
    return value
