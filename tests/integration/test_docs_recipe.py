# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deployment recipe of the docs runs, as written, against the simulator; the guide shows that same file."""

import os
import textwrap

from conftest import ROOT, TOKEN

RECIPE = os.path.join(ROOT, 'docs', 'examples', 'deploy_and_wait.yml')
GUIDE = os.path.join(ROOT, 'docs', 'docsite', 'rst', 'guide_deploy_and_wait.rst')


def test_the_guide_shows_the_tested_recipe():
    with open(RECIPE) as handle:
        recipe = handle.read()
    with open(GUIDE) as handle:
        assert textwrap.indent(recipe, '  ') in handle.read()


def test_the_recipe_runs(simulator, run_playbook):
    simulator.load({'devices': [{'id': 'd1', 'name': 'ftd-1'}, {'id': 'd2', 'name': 'ftd-2'}],
                    'deployment': {'step_seconds': 0.5}})
    played = run_playbook(RECIPE, {'device_ids': ['d1', 'd2']},
                          env={'CDFMC_BASE_URL': simulator.url + '/firewall', 'CDFMC_API_TOKEN': TOKEN,
                               'CDFMC_CA_PATH': simulator.ca_file})
    assert 'ftd-1: succeeded Deployment succeeded' in played.stdout
    assert 'ftd-2: succeeded Deployment succeeded' in played.stdout
    assert 'changed=1' in played.stdout  # the deployment request is a change
