# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The demo, run from the collection installed from its tarball (as scripts/demo runs it)."""

import os

import yaml

from conftest import TOKEN


def test_the_demo_runs_from_the_installed_collection(simulator, run_playbook, collections_path):
    installed = os.path.join(collections_path, 'ansible_collections', 'cisco', 'cdfmc')
    with open(os.path.join(installed, 'demo', 'scenario.yml')) as handle:
        scenario = yaml.safe_load(handle)
    scenario['api_token'] = TOKEN
    scenario['deployment']['step_seconds'] = 0.5
    simulator.load(scenario)
    played = run_playbook(os.path.join(installed, 'demo', 'deploy_and_check.yml'),
                          env={'CDFMC_BASE_URL': simulator.url + '/firewall', 'CDFMC_API_TOKEN': TOKEN,
                               'CDFMC_CA_PATH': simulator.ca_file})
    assert "ftd-branch-7 | failed | Branch-Access-Policy | Interface GigabitEthernet0/2: nameif 'outside2'" \
        in played.stdout
    assert 'ftd-hq-1 | succeeded | HQ-Access-Policy, HQ-NAT | Deployment succeeded' in played.stdout
    assert 'ftd-dc-1 | up to date' in played.stdout
    assert 'ignored=1' in played.stdout  # the deployment failed on one device, as it must, and the play went on
    assert 'changed=1' in played.stdout  # the deployment request is a change
