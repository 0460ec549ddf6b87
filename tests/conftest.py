# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Makes the collection importable as ansible_collections.cisco.cdfmc, and the simulator as cdfmc_simulator."""

import os
import socket
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _collections_root():
    # Already checked out as .../ansible_collections/cisco/cdfmc (as ansible-test lays it out)?
    parts = ROOT.split(os.sep)
    if parts[-3:-2] == ['ansible_collections'] and parts[-2:] == ['cisco', 'cdfmc']:
        return os.sep.join(parts[:-3])
    root = os.path.join(ROOT, '.cache', 'collections')
    link = os.path.join(root, 'ansible_collections', 'cisco', 'cdfmc')
    if not os.path.islink(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(ROOT, link)
    return root


sys.path.insert(0, _collections_root())
sys.path.insert(0, os.path.join(ROOT, 'tests', 'simulator'))


@pytest.fixture
def closed_port():
    """A loopback port that nothing listens on (bound a moment, then released)."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]
