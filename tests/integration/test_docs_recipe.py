# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deployment recipes of the docs run, as written, against the simulator; the guide shows those same files."""

import os
import textwrap

import pytest

from conftest import ROOT, TOKEN

EXAMPLES = os.path.join(ROOT, 'docs', 'examples')
GUIDE = os.path.join(ROOT, 'docs', 'docsite', 'rst', 'guide_deploy_and_wait.rst')


@pytest.mark.parametrize('recipe', ['deploy_and_wait.yml', 'deploy_with_uri_and_wait.yml'])
def test_the_guide_shows_the_tested_recipe(recipe):
    with open(os.path.join(EXAMPLES, recipe)) as handle:
        text = handle.read()
    with open(GUIDE) as handle:
        assert textwrap.indent(text, '  ') in handle.read()


def _environment(simulator):
    return {'CDFMC_BASE_URL': simulator.url + '/firewall', 'CDFMC_API_TOKEN': TOKEN, 'CDFMC_CA_PATH': simulator.ca_file}


def test_the_cdfmc_deploy_recipe_deploys_what_is_pending_and_a_second_run_is_ok(simulator, run_playbook):
    simulator.load({'devices': [{'id': 'd1', 'name': 'ftd-1', 'pending': ['ACP-1', 'NAT-1']},
                                {'id': 'd2', 'name': 'ftd-2'}],
                    'deployment': {'step_seconds': 0.5, 'list_lag': 1}})
    recipe = os.path.join(EXAMPLES, 'deploy_and_wait.yml')
    played = run_playbook(recipe, {'device_names': ['ftd-1', 'ftd-2'], 'change_ticket': 'CHG-1'},
                          env=_environment(simulator))
    assert 'ftd-1: succeeded (ACP-1, NAT-1) Deployment succeeded' in played.stdout
    assert 'up to date: ftd-2' in played.stdout
    assert 'changed=1' in played.stdout
    (request,) = [r for r in simulator.requests() if r['path'].endswith('/deploymentrequests')]
    assert request['body']['deviceList'] == ['d1'] and request['body']['deploymentNote'] == 'CHG-1'
    played = run_playbook(recipe, {'device_names': ['ftd-1', 'ftd-2']}, env=_environment(simulator))
    assert 'changed=0' in played.stdout and 'up to date: ftd-1, ftd-2' in played.stdout


def test_the_uri_recipe_runs(simulator, run_playbook):
    simulator.load({'devices': [{'id': 'd1', 'name': 'ftd-1'}, {'id': 'd2', 'name': 'ftd-2'}],
                    'deployment': {'step_seconds': 0.5}})
    played = run_playbook(os.path.join(EXAMPLES, 'deploy_with_uri_and_wait.yml'), {'device_ids': ['d1', 'd2']},
                          env=_environment(simulator))
    assert 'ftd-1: succeeded Deployment succeeded' in played.stdout
    assert 'ftd-2: succeeded Deployment succeeded' in played.stdout
    assert 'changed=1' in played.stdout  # the deployment request is a change
