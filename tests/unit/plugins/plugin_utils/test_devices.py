# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which devices a deployment is for: the devices option, and names matched against the managed devices."""

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._devices import ALL, check_devices, select

SERVER = 'https://fmc.example.com'


def unit(unit_id, name, unit_type='Device', members=()):
    return {'id': unit_id, 'name': name, 'type': unit_type,
            'members': [{'id': member_id, 'name': member_name, 'type': 'Device'} for member_id, member_name in members]}


UNITS = [
    unit('d1', 'ftd-1'), unit('d2', 'ftd-2'), unit('d3', 'd1'),  # a device named like another's id
    unit('ha', 'ftd-ha', 'DeviceHAPair', [('m1', 'ftd-ha-a'), ('m2', 'ftd-ha-b')]),
    unit('cl', 'ftd-cluster', 'DeviceCluster', [('c1', 'ftd-c1'), ('c2', 'ftd-c2')]),
    unit('x1', 'twin'), unit('x2', 'twin'),
]


@pytest.mark.parametrize('value,expected', [
    ('all', ALL), (['all'], ALL), ('ftd-1', ['ftd-1']), ([' ftd-1 ', 'd2'], ['ftd-1', 'd2']),
])
def test_the_devices_option(value, expected):
    assert check_devices(value) == expected


@pytest.mark.parametrize('value,message', [
    ([], 'an empty list'), (None, 'NoneType'), ({'a': 1}, 'dict'), (['ftd-1', ''], r'devices\[1\]'),
    (['ftd-1', 7], r'devices\[1\] .* got int'), (['x' * 257], r'devices\[0\]'), (['all', 'ftd-1'], 'stands alone'),
    (['d'] * 1001, 'at most 1000'),
])
def test_bad_devices_are_refused(value, message):
    with pytest.raises(CdfmcOptionError, match=message):
        check_devices(value)


def test_ids_match_before_names_and_each_unit_is_deployed_once():
    selected, warnings = select(UNITS, ['d1', 'ftd-2', 'ftd-1'], SERVER)
    assert [u['id'] for u in selected] == ['d1', 'd2'] and warnings == []  # "d1" is the device d1, not the one named d1


def test_a_member_is_deployed_through_its_pair_or_cluster_with_a_warning():
    selected, warnings = select(UNITS, ['ftd-ha-b', 'm1', 'c2'], SERVER)
    assert [u['id'] for u in selected] == ['ha', 'cl']
    assert warnings == ['device ftd-ha-b is a member of HA pair ftd-ha: it is deployed through it',
                        'device ftd-ha-a is a member of HA pair ftd-ha: it is deployed through it',
                        'device ftd-c2 is a member of cluster ftd-cluster: it is deployed through it']


def test_an_ambiguous_name_is_refused_with_the_ids_to_use():
    with pytest.raises(CdfmcOptionError) as caught:
        select(UNITS, ['twin'], SERVER)
    assert 'twin (Device x1, Device x2)' in str(caught.value) and 'give their ids instead' in str(caught.value)
    assert [u['id'] for u in select(UNITS, ['x2'], SERVER)[0]] == ['x2']


def test_unknown_names_are_listed_with_the_names_that_exist():
    with pytest.raises(CdfmcOptionError) as caught:
        select(UNITS, ['ftd-9', 'FTD-1'], SERVER)  # names match exactly: case matters
    message = str(caught.value)
    assert message.startswith('devices: ftd-9, FTD-1 are not a managed device of https://fmc.example.com')
    assert 'its devices are: d1, ftd-1, ftd-2, ftd-c1, ftd-c2, ftd-cluster, ftd-ha, ftd-ha-a, ftd-ha-b, twin' in message


def test_a_long_list_of_names_is_cut():
    many = [unit('u%03d' % n, 'name-%03d' % n) for n in range(100)]
    with pytest.raises(CdfmcOptionError, match='and 70 more'):
        select(many, ['nope'], SERVER)


def test_names_from_the_server_are_shown_escaped():
    with pytest.raises(CdfmcOptionError) as caught:
        select([unit('e', 'evil\x1b[2J\nok: [x]')], ['nope'], SERVER)
    assert '\x1b' not in str(caught.value) and '\n' not in str(caught.value)
