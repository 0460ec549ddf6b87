# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an execution environment build reads from the installed collection, and the example definitions (an
execution environment, a decision environment).
(No container engine runs here: introspect and create are the parts of a build that read our files.)"""

import os
import subprocess

import pytest

from conftest import ROOT, _tool


def test_introspect_finds_the_python_requirements(collections_path):
    completed = subprocess.run([_tool('ansible-builder'), 'introspect', '--sanitize', collections_path],
                               capture_output=True, text=True, check=True)
    assert "requests>=2.32.4  # from collection cisco.cdfmc" in completed.stdout
    assert "jmespath>=1.0.1  # from collection cisco.cdfmc" in completed.stdout
    assert "redis>=5  # from collection cisco.cdfmc" in completed.stdout  # the shared budget's Redis client


@pytest.mark.parametrize('definition, image', [
    ('docs/examples/execution-environment.yml', 'quay.io/ansible/awx-ee'),
    # AAP's minimal decision environment (ansible-rulebook and Java) with the collection.
    ('extensions/eda/decision-environment.yml', 'de-minimal-rhel9'),
])
def test_the_definitions_make_a_build_context(tmp_path, definition, image):
    context = tmp_path / 'context'
    subprocess.run([_tool('ansible-builder'), 'create', '-f', os.path.join(ROOT, definition), '-c', str(context),
                    '--output-filename', 'Containerfile'], capture_output=True, text=True, check=True)
    with open(context / 'Containerfile') as handle:
        assert image in handle.read()
    with open(context / '_build' / 'requirements.yml') as handle:
        assert 'cisco.cdfmc' in handle.read()
