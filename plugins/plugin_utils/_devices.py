# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which devices a deployment is for: the managed devices of an FMC, and the ones a playbook names.

FMC deploys a standalone device, an HA pair or a cluster: each is a "device" of a deployment's deviceList here,
and a pair or a cluster has its members. A member is deployed through its pair or cluster. Names are matched on
the controller against every managed device, pair and cluster (ids first, then exact names), so that a name that
is unknown, or names two devices, is refused before anything is sent.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It is controller-only; it reads through the client it is given, and
``select`` does no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cisco.cdfmc.plugins.module_utils._display import shown
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError

DEVICES_PATH = '/devices/devicerecords'
HA_PAIRS_PATH = '/devicehapairs/ftddevicehapairs'
CLUSTERS_PATH = '/deviceclusters/ftddevicecluster'
ALL = 'all'
MAX_DEVICES = 1000
# Names listed in a message about an unknown name, at most.
NAMES_SHOWN = 30


def check_devices(devices):
    """The ``devices`` option: ``all``, or a list of names or ids (CdfmcOptionError otherwise)."""
    if devices == ALL or devices == [ALL]:
        return ALL
    if isinstance(devices, str):
        if ',' in devices:
            # One string of several names: a list was meant (no device name has a comma in it).
            raise CdfmcOptionError('devices is a list of names or ids, got one string %s; write it as a YAML list, '
                                   'for example devices: [%s]' % (repr(shown(devices, 120)), ', '.join(
                                       shown(name.strip(), 60) for name in devices.split(',') if name.strip())))
        devices = [devices]
    if not isinstance(devices, list) or not devices:
        raise CdfmcOptionError('devices must be "all" or a list of device names or ids, got %s'
                               % ('an empty list' if devices == [] else type(devices).__name__))
    if len(devices) > MAX_DEVICES:
        raise CdfmcOptionError('devices lists %d devices; at most %d can be deployed in one request'
                               % (len(devices), MAX_DEVICES))
    for index, device in enumerate(devices):
        if not isinstance(device, str) or not device.strip() or len(device) > 256:
            raise CdfmcOptionError('devices[%d] must be the name or id of a device (1 to 256 characters), got %s'
                                   % (index, repr(shown(device, 60)) if isinstance(device, str) else type(device).__name__))
        if device == ALL:
            raise CdfmcOptionError('devices: "all" stands alone; it cannot be listed with other devices')
    return [device.strip() for device in devices]


# FMC's record types, which results name whatever a list calls them (the deployable list says SENSOR).
DEVICE, HA_PAIR, CLUSTER = 'Device', 'DeviceHAPair', 'DeviceCluster'


def record_type(listed_type):
    """The record type of a device, HA pair or cluster, whatever word an FMC list gives it."""
    word = str(listed_type or '').replace('_', '').lower()
    if 'hapair' in word or word in ('ha', 'deviceha'):
        return HA_PAIR
    if 'cluster' in word:
        return CLUSTER
    return DEVICE


def _ref(item, names=None):
    """{id, name, type} of a device reference in an FMC answer, or None. A reference that carries only an id (as
    pairs' members and 6.x clusters' may) takes its name from ``names`` (id -> name of the device records)."""
    if not isinstance(item, dict) or not item.get('id'):
        return None
    device_id = str(item['id'])
    name = item.get('name') or (names or {}).get(device_id) or device_id
    return {'id': device_id, 'name': str(name), 'type': record_type(item.get('type'))}


def _cluster_members(cluster):
    """The member references of a cluster: 7.x ``controlDevice``/``dataDevices[].deviceDetails``, 6.x
    ``masterDevice``/``slaveDevices``."""
    parts = [cluster.get('controlDevice')] + list(cluster.get('dataDevices') or [])
    members = [part.get('deviceDetails') for part in parts if isinstance(part, dict)]
    members += [cluster.get('masterDevice')] + list(cluster.get('slaveDevices') or [])
    return [member for member in members if isinstance(member, dict)]


def managed_devices(client, deadline):
    """Every device FMC deploys: HA pairs and clusters (with their members), and the standalone devices. A device
    record that names its container (``metadata.containerDetails``) is a member of it, whichever list says so."""
    records = [record for record in client.all_items(client.config_path(DEVICES_PATH), deadline,
                                                     params={'expanded': 'true'}) if _ref(record)]
    names = dict((str(record['id']), str(record.get('name') or record['id'])) for record in records)
    containers = {}  # container id -> its members, from the pair and cluster lists and the device records
    devices = []
    for path, kind, members_of in ((HA_PAIRS_PATH, HA_PAIR, lambda pair: [pair.get('primary'), pair.get('secondary')]),
                                   (CLUSTERS_PATH, CLUSTER, _cluster_members)):
        for container in client.all_items(client.config_path(path), deadline, params={'expanded': 'true'}):
            device = _ref(dict(container, type=kind), names)
            if device and device['id'] not in containers:
                device['members'] = containers[device['id']] = [
                    ref for ref in (_ref(member, names) for member in members_of(container)) if ref]
                devices.append(device)
    for record in records:
        details = (record.get('metadata') or {}).get('containerDetails') if isinstance(record.get('metadata'), dict) \
            else None
        container = _ref(details) if isinstance(details, dict) else None
        if container and container['id'] in containers and not any(
                member['id'] == str(record['id']) for member in containers[container['id']]):
            containers[container['id']].append(_ref(record, names))
    members = set(member['id'] for device in devices for member in device['members'])
    for record in records:
        device = _ref(record, names)
        if device['id'] not in members and device['id'] not in containers:
            device['members'] = []
            devices.append(device)
    return devices


def _matches(devices, wanted):
    """(device, member or None) pairs that ``wanted`` names: by id first, then by exact name."""
    for key in ('id', 'name'):
        found = [(device, None) for device in devices if device[key] == wanted]
        found += [(device, member) for device in devices for member in device['members'] if member[key] == wanted]
        if found:
            return found
    return []


def select(devices, wanted, server, through='it is deployed through it'):
    """The devices to deploy (or roll back) for the names or ids in ``wanted``, in order, each once; and the warnings
    to give (a member named: what happens to it, ``through``).

    Raises CdfmcOptionError naming every name that is unknown (with names that exist) or ambiguous.
    """
    selected, warnings, unknown, ambiguous = [], [], [], []
    for name in wanted:
        found = _matches(devices, name)
        if not found:
            unknown.append(name)
            continue
        if len(set(device['id'] for device, _member in found)) > 1:
            matches = ', '.join('%s %s' % (device['type'], device['id']) for device, _member in found)
            ambiguous.append('%s (%s)' % (shown(name), matches))
            continue
        device, member = found[0]
        if member is not None:
            warnings.append('device %s is a member of %s %s: %s' % (
                shown(member['name']), 'HA pair' if device['type'] == HA_PAIR else 'cluster', shown(device['name']),
                through))
        if device not in selected:
            selected.append(device)
    if ambiguous:
        raise CdfmcOptionError('devices: these names match more than one device of %s; give their ids instead: %s'
                               % (server, '; '.join(ambiguous)))
    if unknown:
        names = sorted(set([device['name'] for device in devices] +
                           [member['name'] for device in devices for member in device['members']]))
        shown_names = ', '.join(shown(name, 80) for name in names[:NAMES_SHOWN])
        raise CdfmcOptionError('devices: %s %s not a managed device of %s; its devices are: %s%s' % (
            ', '.join(shown(name, 80) for name in unknown), 'is' if len(unknown) == 1 else 'are', server,
            shown_names or '(none)', ' and %d more' % (len(names) - NAMES_SHOWN) if len(names) > NAMES_SHOWN else ''))
    return selected, warnings
