# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which devices a deployment is for: the managed devices of an FMC, and the ones a playbook names.

FMC deploys a standalone device, an HA pair or a cluster: a "unit" here. A member of a pair or a cluster is
deployed through its container. Names are matched on the controller against every managed device, pair and
cluster (ids first, then exact names), so that a name that is unknown, or names two devices, is refused
before anything is sent.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It is controller-only; it reads through the client it is given, and
``select`` does no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cisco.cdfmc.plugins.module_utils._display import shown
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError

DEVICES_PATH = '/devices/devicerecords'
HA_PAIRS_PATH = '/deviceha/ftddevicehapairs'
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


def _ref(item):
    """{id, name, type} of a device reference in an FMC answer, or None."""
    if not isinstance(item, dict) or not item.get('id'):
        return None
    return {'id': str(item['id']), 'name': str(item.get('name') or item['id']), 'type': str(item.get('type') or 'Device')}


def managed_units(client, deadline):
    """Every unit FMC deploys: HA pairs and clusters (with their members), and the other devices."""
    units, members = [], set()
    for pair in client.all_items(client.config_path(HA_PAIRS_PATH), deadline, params={'expanded': 'true'}):
        unit = _ref(dict(pair, type=pair.get('type') or 'DeviceHAPair'))
        if unit:
            unit['members'] = [ref for ref in (_ref(pair.get('primary')), _ref(pair.get('secondary'))) if ref]
            units.append(unit)
    for cluster in client.all_items(client.config_path(CLUSTERS_PATH), deadline, params={'expanded': 'true'}):
        unit = _ref(dict(cluster, type=cluster.get('type') or 'DeviceCluster'))
        if unit:
            parts = [cluster.get('controlDevice')] + list(cluster.get('dataDevices') or [])
            unit['members'] = [ref for ref in (_ref(part.get('deviceDetails')) for part in parts
                                               if isinstance(part, dict)) if ref]
            units.append(unit)
    for unit in units:
        members.update(member['id'] for member in unit['members'])
    for device in client.all_items(client.config_path(DEVICES_PATH), deadline):
        unit = _ref(device)
        if unit and unit['id'] not in members:
            unit['members'] = []
            units.append(unit)
    return units


def _matches(units, wanted):
    """(unit, member or None) pairs that ``wanted`` names: by id first, then by exact name."""
    for key in ('id', 'name'):
        found = [(unit, None) for unit in units if unit[key] == wanted]
        found += [(unit, member) for unit in units for member in unit['members'] if member[key] == wanted]
        if found:
            return found
    return []


def select(units, wanted, server):
    """The units to deploy for the names or ids in ``wanted``, in order, each once; and the warnings to give.

    Raises CdfmcOptionError naming every name that is unknown (with names that exist) or ambiguous.
    """
    selected, warnings, unknown, ambiguous = [], [], [], []
    for name in wanted:
        found = _matches(units, name)
        if not found:
            unknown.append(name)
            continue
        if len(set(unit['id'] for unit, _member in found)) > 1:
            matches = ', '.join('%s %s' % (unit['type'], unit['id']) for unit, _member in found)
            ambiguous.append('%s (%s)' % (shown(name), matches))
            continue
        unit, member = found[0]
        if member is not None:
            warnings.append('device %s is a member of %s %s: it is deployed through it' % (
                shown(member['name']), 'HA pair' if unit['type'] == 'DeviceHAPair' else 'cluster', shown(unit['name'])))
        if unit not in selected:
            selected.append(unit)
    if ambiguous:
        raise CdfmcOptionError('devices: these names match more than one device of %s; give their ids instead: %s'
                               % (server, '; '.join(ambiguous)))
    if unknown:
        names = sorted(set([unit['name'] for unit in units] + [m['name'] for unit in units for m in unit['members']]))
        shown_names = ', '.join(shown(name, 80) for name in names[:NAMES_SHOWN])
        raise CdfmcOptionError('devices: %s %s not a managed device of %s; its devices are: %s%s' % (
            ', '.join(shown(name, 80) for name in unknown), 'is' if len(unknown) == 1 else 'are', server,
            shown_names or '(none)', ' and %d more' % (len(names) - NAMES_SHOWN) if len(names) > NAMES_SHOWN else ''))
    return selected, warnings
