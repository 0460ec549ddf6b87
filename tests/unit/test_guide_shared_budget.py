# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared-budget guide gives the Redis user exactly the rule that the tests' redis-server gives it (so the
rule the guide documents is the one proven sufficient), and names the credential type that exists."""

import os

from ansible_collections.cisco.cdfmc.plugins.module_utils._redis import REDIS_ACL

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GUIDE = os.path.join(ROOT, 'docs', 'docsite', 'rst', 'guide_shared_budget.rst')


def test_the_guides_acl_user_is_the_one_the_tests_use():
    with open(GUIDE) as handle:
        lines = [line.strip() for line in handle if line.strip().startswith('user cdfmc on ')]
    assert lines == ['user cdfmc on >CHANGE-THIS-PASSWORD ' + REDIS_ACL]


def test_the_guides_credential_type_exists():
    with open(GUIDE) as handle:
        text = handle.read()
    assert 'extensions/awx/credential_types/cdfmc_budget_store.yml' in text
    assert os.path.isfile(os.path.join(ROOT, 'extensions', 'awx', 'credential_types', 'cdfmc_budget_store.yml'))
