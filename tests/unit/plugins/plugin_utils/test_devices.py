# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which devices a deployment is for: the devices option, and names matched against the managed devices."""

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._devices import ALL, check_devices, select

SERVER = 'https://fmc.example.com'


def device(device_id, name, record_type='Device', members=()):
    return {'id': device_id, 'name': name, 'type': record_type,
            'members': [{'id': member_id, 'name': member_name, 'type': 'Device'} for member_id, member_name in members]}


UNITS = [
    device('d1', 'ftd-1'), device('d2', 'ftd-2'), device('d3', 'd1'),  # a device named like another's id
    device('ha', 'ftd-ha', 'DeviceHAPair', [('m1', 'ftd-ha-a'), ('m2', 'ftd-ha-b')]),
    device('cl', 'ftd-cluster', 'DeviceCluster', [('c1', 'ftd-c1'), ('c2', 'ftd-c2')]),
    device('x1', 'twin'), device('x2', 'twin'),
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


def test_ids_match_before_names_and_each_device_is_deployed_once():
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
    many = [device('u%03d' % n, 'name-%03d' % n) for n in range(100)]
    with pytest.raises(CdfmcOptionError, match='and 70 more'):
        select(many, ['nope'], SERVER)


def test_names_from_the_server_are_shown_escaped():
    with pytest.raises(CdfmcOptionError) as caught:
        select([device('e', 'evil\x1b[2J\nok: [x]')], ['nope'], SERVER)
    assert '\x1b' not in str(caught.value) and '\n' not in str(caught.value)


class _Fleet:
    """A client whose FMC lists are given by path ending; it records what it read."""

    def __init__(self, lists):
        self.lists, self.reads = lists, []

    def config_path(self, rest):
        return '/fmc_config/v1/domain/d' + rest

    def all_items(self, path, deadline, params=None):
        self.reads.append((path, params))
        return next((list(items) for ending, items in self.lists.items() if path.endswith(ending)), [])


RECORDS = [{'id': 'm1', 'name': 'ftd-ha-a', 'type': 'Device'}, {'id': 'm2', 'name': 'ftd-ha-b', 'type': 'Device'},
           {'id': 'c1', 'name': 'ftd-c1', 'type': 'Device'}, {'id': 'c2', 'name': 'ftd-c2', 'type': 'Device'},
           {'id': 'd1', 'name': 'ftd-1', 'type': 'Device'}]


@pytest.mark.parametrize('cluster', [
    {'id': 'cl', 'name': 'ftd-cluster', 'controlDevice': {'deviceDetails': {'id': 'c1', 'name': 'ftd-c1'}},
     'dataDevices': [{'deviceDetails': {'id': 'c2', 'name': 'ftd-c2', 'type': 'Device'}}]},  # FMC 7.x
    {'id': 'cl', 'name': 'ftd-cluster', 'type': 'DeviceCluster', 'masterDevice': {'id': 'c1', 'type': 'Device'},
     'slaveDevices': [{'id': 'c2', 'keepLocalEvents': False, 'type': 'Device'}]},  # FMC 6.x: ids only
])
def test_managed_devices_read_pairs_at_cisco_s_path_and_clusters_in_both_shapes(cluster):
    from ansible_collections.cisco.cdfmc.plugins.plugin_utils._devices import managed_devices
    client = _Fleet({'/devices/devicerecords': RECORDS, '/devicehapairs/ftddevicehapairs': [
        {'id': 'ha', 'name': 'ftd-ha', 'primary': {'id': 'm1'}, 'secondary': {'id': 'm2'}}],  # members: ids only
        '/deviceclusters/ftddevicecluster': [cluster]})
    devices = managed_devices(client, None)
    assert [(device['id'], device['type'], [(m['id'], m['name']) for m in device['members']])
            for device in devices] == [
        ('ha', 'DeviceHAPair', [('m1', 'ftd-ha-a'), ('m2', 'ftd-ha-b')]),
        ('cl', 'DeviceCluster', [('c1', 'ftd-c1'), ('c2', 'ftd-c2')]), ('d1', 'Device', [])]
    assert sorted(path.rsplit('/', 1)[1] for path, params in client.reads if params == {'expanded': 'true'}) == [
        'devicerecords', 'ftddevicecluster', 'ftddevicehapairs']
    assert not any('/deviceha/' in path for path, _params in client.reads)
    selected, warnings = select(devices, ['ftd-c2', 'ftd-ha'], SERVER)
    assert [device['id'] for device in selected] == ['cl', 'ha'] and 'member of cluster ftd-cluster' in warnings[0]


def test_a_device_record_that_names_its_container_is_a_member_of_it():
    from ansible_collections.cisco.cdfmc.plugins.plugin_utils._devices import managed_devices
    records = RECORDS[:2] + [dict(RECORDS[2], metadata={'isPartOfContainer': True, 'containerDetails': {
        'id': 'cl', 'name': 'ftd-cluster', 'type': 'DeviceCluster'}})]
    client = _Fleet({'/devices/devicerecords': records, '/devicehapairs/ftddevicehapairs': [
        {'id': 'ha', 'name': 'ftd-ha', 'primary': {'id': 'm1'}, 'secondary': {'id': 'm2'}}],
        '/deviceclusters/ftddevicecluster': [{'id': 'cl', 'name': 'ftd-cluster'}]})  # its members not listed
    devices = managed_devices(client, None)
    assert [(device['id'], [m['name'] for m in device['members']]) for device in devices] == [
        ('ha', ['ftd-ha-a', 'ftd-ha-b']), ('cl', ['ftd-c1'])]


@pytest.mark.parametrize('listed,expected', [
    ('SENSOR', 'Device'), ('Device', 'Device'), (None, 'Device'), ('DeviceHAPair', 'DeviceHAPair'),
    ('DEVICE_HA_PAIR', 'DeviceHAPair'), ('DeviceCluster', 'DeviceCluster'), ('FTDCluster', 'DeviceCluster'),
])
def test_results_name_fmc_s_record_types_whatever_a_list_says(listed, expected):
    from ansible_collections.cisco.cdfmc.plugins.plugin_utils._devices import record_type
    assert record_type(listed) == expected


@pytest.mark.parametrize('value', ['fw-1,fw-2', 'fw-1, fw-2,', ' fw-1 ,fw-2'])
def test_several_names_in_one_string_are_refused_with_the_yaml_list_to_write(value):
    with pytest.raises(CdfmcOptionError) as caught:
        check_devices(value)
    assert 'devices is a list of names or ids, got one string' in str(caught.value)
    assert 'devices: [fw-1, fw-2]' in str(caught.value)
