# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The connection options: their one definition (the argument spec every entry point validates with, its defaults
and environment fallbacks), and the names they stand for (regions, the Global domain of a cdFMC).

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It does no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import os

from ansible.module_utils.errors import AnsibleFallbackNotFound

REGIONS = {
    'us': 'https://api.us.security.cisco.com/firewall',
    'eu': 'https://api.eu.security.cisco.com/firewall',
    'apj': 'https://api.apj.security.cisco.com/firewall',
    'au': 'https://api.au.security.cisco.com/firewall',
    'in': 'https://api.in.security.cisco.com/firewall',
}

# Every cdFMC shares this global domain UUID.
CDFMC_GLOBAL_DOMAIN_UUID = 'e276abec-e0f2-11e3-8169-6d9ed49b625f'


def nonempty_env_fallback(*names):
    """Argument spec fallback: the first environment variable that is set and not empty."""
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    raise AnsibleFallbackNotFound


CONNECTION_ARGUMENT_SPEC = dict(
    base_url=dict(type='str', fallback=(nonempty_env_fallback, ['CDFMC_BASE_URL'])),
    region=dict(type='str', choices=sorted(REGIONS), fallback=(nonempty_env_fallback, ['CDFMC_REGION'])),
    api_token=dict(type='str', no_log=True, fallback=(nonempty_env_fallback, ['CDFMC_API_TOKEN'])),
    username=dict(type='str', fallback=(nonempty_env_fallback, ['CDFMC_USERNAME'])),
    password=dict(type='str', no_log=True, fallback=(nonempty_env_fallback, ['CDFMC_PASSWORD'])),
    domain_uuid=dict(type='str', fallback=(nonempty_env_fallback, ['CDFMC_DOMAIN_UUID'])),
    domain=dict(type='str', fallback=(nonempty_env_fallback, ['CDFMC_DOMAIN'])),
    api_prefix=dict(type='str'),
    validate_certs=dict(type='bool', default=True, fallback=(nonempty_env_fallback, ['CDFMC_VALIDATE_CERTS'])),
    ca_path=dict(type='path', fallback=(nonempty_env_fallback, ['CDFMC_CA_PATH'])),
    request_timeout=dict(type='float', default=30.0),
    max_retries=dict(type='int', default=5),
    max_requests_per_minute=dict(type='int', default=100,
                                 fallback=(nonempty_env_fallback, ['CDFMC_MAX_REQUESTS_PER_MINUTE'])),
    max_concurrent_requests=dict(type='int', default=8),
    budget_url=dict(type='str', no_log=True, fallback=(nonempty_env_fallback, ['CDFMC_BUDGET_URL'])),
    budget_ca_file=dict(type='path', fallback=(nonempty_env_fallback, ['CDFMC_BUDGET_CA_FILE'])),
)


def connection_argument_spec():
    """Return a fresh copy of the connection options' argument spec."""
    return copy.deepcopy(CONNECTION_ARGUMENT_SPEC)
