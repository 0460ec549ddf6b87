# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Makes the collection importable as ansible_collections.cisco.cdfmc, and the simulator as cdfmc_simulator.
Also the ``serial`` marker: tests that measure time too closely to share the machine with other tests
(scripts/test runs them alone, after the others have run side by side: ``--serial skip`` / ``--serial only``)."""

import os
import socket
import sys
import tempfile

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
        try:
            os.symlink(ROOT, link)
        except FileExistsError:  # made meanwhile by another process (pytest-xdist workers start together)
            pass
    return root


sys.path.insert(0, _collections_root())
sys.path.insert(0, os.path.join(ROOT, 'tests', 'simulator'))
sys.path.insert(0, os.path.join(ROOT, 'tests'))  # redis_server: the tests' own Redis


@pytest.fixture(autouse=True)
def _own_temporary_directory(tmp_path_factory, monkeypatch):
    """The temporary directory of each test a directory of its own: the shared files of the code under test (the
    request budget, the login cache, the deployment lock) are neither shared between tests nor left in the user's
    own directory (TMPDIR's cisco.cdfmc-UID)."""
    monkeypatch.setattr(tempfile, 'tempdir', str(tmp_path_factory.mktemp('tmp')))


@pytest.fixture
def closed_port():
    """A loopback port that nothing listens on (bound a moment, then released)."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def pytest_addoption(parser):
    parser.addoption('--serial', choices=('include', 'skip', 'only'), default='include',
                     help='tests marked serial: run them too (include, the default), leave them out (skip: for a '
                          'run of tests side by side, pytest -n), or run only them (only: for a run alone)')


def pytest_configure(config):
    config.addinivalue_line('markers', 'serial: measures time too closely to run beside other tests; scripts/test '
                                       'runs it alone, after the tests run side by side')


def pytest_collection_modifyitems(config, items):
    choice = config.getoption('serial')
    if choice == 'include':
        return
    keep, leave = [], []
    for item in items:
        (keep if (item.get_closest_marker('serial') is not None) == (choice == 'only') else leave).append(item)
    if leave:
        config.hook.pytest_deselected(items=leave)
        items[:] = keep


@pytest.fixture
def start_redis(tmp_path_factory):
    """A function that starts a redis-server of the test's own (``tls=True``: TLS only, with a CA made for it);
    each is killed at teardown. Skips where Redis cannot run, unless CDFMC_REQUIRE_REDIS=1 (CI): then fails."""
    from components import skip_unless_required
    from redis_server import redis_missing
    skip_unless_required(redis_missing(), 'CDFMC_REQUIRE_REDIS')
    from redis_server import RedisServer
    started = []

    def start(tls=False):
        directory = tmp_path_factory.mktemp('redis')
        certificates = None
        if tls:
            from cdfmc_simulator.certs import make_certificates
            certificates = make_certificates(str(directory / 'certs'))
        started.append(RedisServer(directory, certificates))
        return started[-1]

    yield start
    for server in started:
        server.kill()


@pytest.fixture
def redis_server(start_redis):
    """A redis-server of the test's own, on a free loopback port (see ``start_redis``)."""
    return start_redis()
