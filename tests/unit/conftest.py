# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An in-process simulator (HTTPS with a throwaway CA) for client and module unit tests; ``support`` (the fake
clock, settings through the option adapter) importable by every unit test."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cdfmc_simulator.certs import make_certificates
from cdfmc_simulator.server import serve_in_thread


@pytest.fixture(scope='session')
def certificates(tmp_path_factory):
    return make_certificates(str(tmp_path_factory.mktemp('certs')))


class RunningSimulator:
    def __init__(self, server, url, ca_file):
        self.server = server
        self.url = url
        self.ca_file = ca_file

    def load(self, scenario):
        self.server.simulator.load(scenario)

    @property
    def requests(self):
        return self.server.simulator.request_log()


@pytest.fixture(scope='session')
def _simulator_server(certificates):
    server, url = serve_in_thread(cert_file=certificates['cert_file'], key_file=certificates['key_file'])
    yield RunningSimulator(server, url, certificates['ca_file'])
    server.shutdown()
    server.server_close()


@pytest.fixture
def simulator(_simulator_server):
    _simulator_server.load({})
    return _simulator_server


@pytest.fixture
def plain_simulator():
    server, url = serve_in_thread()
    yield RunningSimulator(server, url, None)
    server.shutdown()
    server.server_close()


class DisplayLines:
    """An ansible Display that keeps what it was given, at every verbosity, in order."""

    def __init__(self):
        self.lines = []

    def display(self, text):
        self.lines.append(text)

    vvv = display


@pytest.fixture
def display_lines():
    return DisplayLines()


@pytest.fixture
def clock():
    from support import FakeClock
    return FakeClock()
