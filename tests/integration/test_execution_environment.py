# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an execution environment build reads from the installed collection, and the example definition.
(No container engine runs here: introspect and create are the parts of a build that read our files.)"""

import os
import subprocess

from conftest import ROOT, _tool


def test_introspect_finds_the_python_requirements(collections_path):
    completed = subprocess.run([_tool('ansible-builder'), 'introspect', '--sanitize', collections_path],
                               capture_output=True, text=True, check=True)
    assert "requests>=2.32.4  # from collection cisco.cdfmc" in completed.stdout
    assert "jmespath>=1.0.1  # from collection cisco.cdfmc" in completed.stdout
    assert "redis>=5  # from collection cisco.cdfmc" in completed.stdout  # the shared budget's Redis client


def test_the_example_definition_makes_a_build_context(tmp_path):
    context = tmp_path / 'context'
    definition = os.path.join(ROOT, 'docs', 'examples', 'execution-environment.yml')
    subprocess.run([_tool('ansible-builder'), 'create', '-f', definition, '-c', str(context),
                    '--output-filename', 'Containerfile'], capture_output=True, text=True, check=True)
    with open(context / 'Containerfile') as handle:
        assert 'quay.io/ansible/awx-ee' in handle.read()
    with open(context / '_build' / 'requirements.yml') as handle:
        assert 'cisco.cdfmc' in handle.read()


def test_the_decision_environment_makes_a_build_context(tmp_path):
    """extensions/eda/decision-environment.yml: AAP's minimal decision environment (ansible-rulebook and Java) with
    the collection."""
    context = tmp_path / 'context'
    definition = os.path.join(ROOT, 'extensions', 'eda', 'decision-environment.yml')
    subprocess.run([_tool('ansible-builder'), 'create', '-f', definition, '-c', str(context),
                    '--output-filename', 'Containerfile'], capture_output=True, text=True, check=True)
    with open(context / 'Containerfile') as handle:
        assert 'de-minimal-rhel9' in handle.read()
    with open(context / '_build' / 'requirements.yml') as handle:
        assert 'cisco.cdfmc' in handle.read()
