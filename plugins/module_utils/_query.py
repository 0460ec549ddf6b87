# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""JMESPath over plain Python data.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It does no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback

from collections.abc import Mapping

from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError

try:
    import jmespath
    from jmespath.exceptions import JMESPathError
except ImportError:
    HAS_JMESPATH = False
    JMESPATH_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_JMESPATH = True
    JMESPATH_IMPORT_ERROR = None


def to_plain(value):
    """Return a copy of value made only of dict, list, str, int, float, bool and None.

    ansible-core 2.19+ hands plugins tagged subclasses of these types, which
    jmespath's type checks reject.
    """
    if value is None or type(value) in (str, int, float, bool):
        return value
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, Mapping):
        return dict((to_plain(key), to_plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_plain(item) for item in value]
    if isinstance(value, bytes):
        return value.decode('utf-8', errors='replace')
    return str(value)


def compile_query(expression, option):
    """Compile a JMESPath expression, or raise CdfmcOptionError naming the option."""
    if not HAS_JMESPATH:
        raise CdfmcOptionError('the %s option needs the Python library jmespath, which is not installed' % option)
    expression = to_plain(expression)
    if not isinstance(expression, str) or not expression.strip():
        raise CdfmcOptionError('%s must be a non-empty JMESPath expression' % option)
    try:
        return jmespath.compile(expression)
    except JMESPathError as exc:
        raise CdfmcOptionError('%s is not a valid JMESPath expression (%r): %s' % (option, expression, exc))


def run_query(compiled, data):
    """Search plain data with a compiled expression; a run-time error names the expression."""
    try:
        return compiled.search(to_plain(data))
    except JMESPathError as exc:
        raise CdfmcOptionError('JMESPath expression %r failed: %s' % (compiled.expression, exc))
