# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which domain the tasks are in: domain_uuid (checked against the login's domains), a domain by name, or the
login's own domain.

A wrong domain makes every task URL answer 404, so it is caught here, before any task is read: on an on-prem
FMC the login's DOMAINS list the domains that exist, at no extra request (the first request needs the login
anyway); on a cdFMC a name is looked up with ``GET {prefix}/fmc_platform/v1/info/domain``.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. Requests go through the client it is given.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cisco.cdfmc.plugins.module_utils._urls import validate_identifier
from ansible_collections.cisco.cdfmc.plugins.module_utils._display import shown
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError, CdfmcResponseError

DOMAIN_INFO_PATH = '/fmc_platform/v1/info/domain'


def find_domain(client, deadline=None):
    """The domain UUID of the tasks of ``client`` (a CdfmcClient): domain_uuid, else domain looked up by name,
    else the login's domain."""
    settings = client.settings
    if settings.uses_login:
        client.auth.prepare(client.transport, deadline)
    if settings.domain_uuid:
        return _login_domain(client, settings.domain_uuid) if settings.uses_login else settings.domain_uuid
    if settings.uses_login:
        if settings.domain is None:
            if not client.auth.domain_uuid:
                raise CdfmcResponseError('the login on %s did not name a DOMAIN_UUID; set domain_uuid or domain'
                                         % settings.server)
            return validate_identifier(client.auth.domain_uuid, 'the login\'s DOMAIN_UUID')
        domains = client.auth.domains
    else:
        domains = client.all_items(DOMAIN_INFO_PATH, deadline)
    return _domain_named(settings, domains)


def _domain_named(settings, domains):
    """The UUID of the domain named ``settings.domain``: exactly, else the one that matches ignoring case."""
    wanted = settings.domain
    matches = [d for d in domains if d.get('name') == wanted] or [
        d for d in domains if str(d.get('name', '')).lower() == wanted.lower()]
    if len(matches) > 1:
        raise CdfmcOptionError('domain %r matches several domains of %s when case is ignored: %s; give it exactly'
                               % (wanted, settings.server, ', '.join(shown(d.get('name')) for d in matches)))
    if not matches or not matches[0].get('uuid'):
        names = sorted(shown(d.get('name')) for d in domains)
        raise CdfmcOptionError('domain %r is not a domain of %s; its domains are: %s'
                               % (wanted, settings.server, ', '.join(names) or '(none listed)'))
    return validate_identifier(str(matches[0]['uuid']), 'the UUID of domain %r' % wanted)


def _login_domain(client, domain_uuid):
    """domain_uuid as the login's DOMAINS spell it; refused when they do not list it, since every task URL
    in it would answer 404 (no DOMAINS at all: taken as given)."""
    domains = client.auth.domains
    if not domains:
        return domain_uuid
    for domain in domains:
        if str(domain.get('uuid')).lower() == domain_uuid.lower():
            return validate_identifier(str(domain['uuid']), 'the login\'s UUID of domain_uuid')
    settings = client.settings
    raise CdfmcOptionError(
        'domain_uuid %s is not one of the domains that %s on %s may use: %s; set domain_uuid to one of them, '
        'or domain by name' % (domain_uuid, settings.username, settings.server,
                               ', '.join('%s (%s)' % (shown(d.get('name')), shown(d.get('uuid'))) for d in domains)))
