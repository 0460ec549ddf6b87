# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import collections

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError
from ansible_collections.cisco.cdfmc.plugins.module_utils._query import compile_query, run_query, to_plain


class TaggedStr(str):
    pass


class TaggedInt(int):
    pass


class TaggedDict(dict):
    pass


def test_to_plain_strips_subclasses_recursively():
    value = TaggedDict(a=[TaggedStr('x'), TaggedInt(3), (True, None, 1.5)], b=collections.OrderedDict(c=b'y'))
    plain = to_plain(value)
    assert plain == {'a': ['x', 3, [True, None, 1.5]], 'b': {'c': 'y'}}
    assert plain.__class__ is dict and plain['a'][0].__class__ is str and plain['a'][1].__class__ is int
    assert plain['b'].__class__ is dict
    assert to_plain(True) is True


def test_query_runs_over_plain_data():
    compiled = compile_query(TaggedStr("sub_tasks[?state=='failed'].target_name"), 'query')
    data = TaggedDict(sub_tasks=[TaggedDict(state=TaggedStr('failed'), target_name='ftd-2'),
                                 {'state': 'succeeded', 'target_name': 'ftd-1'}])
    assert run_query(compiled, data) == ['ftd-2']


@pytest.mark.parametrize('expression', ['sub_tasks[?', '', '   ', 'a..b'])
def test_invalid_expression_names_the_option(expression):
    with pytest.raises(CdfmcOptionError, match='until_query'):
        compile_query(expression, 'until_query')


def test_runtime_error_is_clear():
    compiled = compile_query('abs(id)', 'query')
    with pytest.raises(CdfmcOptionError, match='failed'):
        run_query(compiled, {'id': 'text'})
