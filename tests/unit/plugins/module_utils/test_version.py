# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import os

import yaml

from ansible_collections.cisco.cdfmc.plugins.module_utils._client import USER_AGENT
from ansible_collections.cisco.cdfmc.plugins.module_utils._version import COLLECTION_VERSION

ROOT = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..')


def test_version_matches_galaxy_yml():
    with open(os.path.join(ROOT, 'galaxy.yml')) as handle:
        assert yaml.safe_load(handle)['version'] == COLLECTION_VERSION
    assert USER_AGENT == 'cisco.cdfmc/%s' % COLLECTION_VERSION
