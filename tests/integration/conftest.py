# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Integration fixtures: the collection built and installed from its tarball, the simulator as its
own process, and real ansible-playbook runs against it."""

import glob
import itertools
import json
import os
import signal
import subprocess
import sys

import pytest

from cdfmc_contract import Contract  # tests/conftest.py puts tests/simulator on the path
from cdfmc_simulator import process as simulator_process_module

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAYBOOKS = os.path.join(ROOT, 'tests', 'integration', 'playbooks')
BIN = os.path.dirname(sys.executable)
TOKEN = 'Int3gr4tion-S3cret-T0ken'

# The runs a test interrupts start as a terminal or AWX starts them: with SIGINT's default action. A background job
# of a non-interactive shell (a test run started with `&`) has SIGINT ignored, every program it starts inherits
# that, and ansible-core 2.16 keeps it (later releases set a handler of their own): its interrupted run went on.
# With a handler here, a program started from this process begins with the default action.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _tool(name):
    path = os.path.join(BIN, name)
    return path if os.path.exists(path) else name


def clean_environment(**extra):
    """The test process's environment without CDFMC_* or ANSIBLE_* settings, plus extra."""
    environment = dict((key, value) for key, value in os.environ.items()
                       if not key.startswith(('CDFMC_', 'ANSIBLE_')))
    environment.update(extra)
    return environment


@pytest.fixture
def tmp_path(tmp_path_factory):
    """A short per-test directory (t0, t1, ... under the session's), instead of one named after the test.

    ansible-core 2.21's controller listens on a Unix socket under TMPDIR (multiprocessing's
    pymp-*/listener-*), and such a path may not exceed 107 bytes. The runs' TMPDIR is in this directory:
    pytest's own per-test names (up to 30 characters of the test's name), with pytest-xdist's popen-gwN
    level and a session number of three digits, made it 108 and ansible-playbook failed to start."""
    return tmp_path_factory.mktemp('t')


@pytest.fixture(scope='session')
def collections_path(tmp_path_factory):
    dest = tmp_path_factory.mktemp('collections')
    environment = clean_environment(ANSIBLE_COLLECTIONS_PATH=str(dest))
    # scripts/test builds the tarball once (galaxy-importer checks that same file); alone, pytest builds its own.
    tarball = os.environ.get('CDFMC_COLLECTION_TARBALL')
    if not tarball:
        build = tmp_path_factory.mktemp('build')
        subprocess.run([_tool('ansible-galaxy'), 'collection', 'build', '--output-path', str(build), ROOT],
                       check=True, capture_output=True, env=environment)
        (tarball,) = glob.glob(str(build / 'cisco-cdfmc-*.tar.gz'))
    subprocess.run([_tool('ansible-galaxy'), 'collection', 'install', '--offline', '-p', str(dest), tarball],
                   check=True, capture_output=True, env=environment)
    installed = dest / 'ansible_collections' / 'cisco' / 'cdfmc'
    assert (installed / 'plugins' / 'modules' / 'cdfmc_task_status.py').is_file()
    assert not (installed / '.cache').exists()
    return str(dest)


class SimulatorProcess(simulator_process_module.SimulatorProcess):
    """The simulator process, with the integration tests' token unless a scenario names another."""

    def load(self, scenario):
        scenario = dict(scenario)
        scenario.setdefault('api_token', TOKEN)
        super(SimulatorProcess, self).load(scenario)

    def auth_counts(self):
        counts = self.admin('/_sim/auth')
        return counts['logins'], counts['refreshes']

    def auth_issued(self):
        counts = self.admin('/_sim/auth')
        return counts['logins'], counts['refreshes'], counts['issued']


@pytest.fixture(scope='session')
def simulator_process(tmp_path_factory):
    """The simulator for the whole session; at its end, every answer it gave is checked against Cisco's
    description (tests/simulator/cdfmc_contract.py), so each scenario a test used is held to it."""
    process = SimulatorProcess(str(tmp_path_factory.mktemp('simulator')))
    yield process
    try:
        answers = process.answers()
    finally:
        process.stop()
    problems = Contract.load().problems_in(answers)
    if problems:
        pytest.fail('%d problem(s) in the %d distinct answers the simulator gave, against Cisco\'s API description '
                    '(first %d):\n%s' % (len(problems), len(answers), min(30, len(problems)),
                                         '\n'.join(problems[:30])), pytrace=False)


@pytest.fixture
def simulator(simulator_process):
    simulator_process.load({})
    return simulator_process


class PlaybookResult:
    def __init__(self, completed):
        self.rc = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        self.output = completed.stdout + completed.stderr

    def __repr__(self):
        return 'rc=%d\n--- stdout\n%s\n--- stderr\n%s' % (self.rc, self.stdout[-6000:], self.stderr[-3000:])


@pytest.fixture
def run_playbook(collections_path, simulator, tmp_path):
    """Run a playbook of tests/integration/playbooks against the simulator; return a PlaybookResult."""
    runs = itertools.count()

    def run(name, extra_vars=None, env=None, verbosity=0, check=False, expect_rc=0, hosts=None, popen=False, diff=False):
        number = next(runs)  # runs at once (popen) do not share their inventory or variables files
        inventory = tmp_path / ('inventory-%d.ini' % number)
        names = ['host%02d' % number for number in range(1, hosts + 1)] if hosts else ['localhost']
        inventory.write_text(''.join('%s ansible_connection=local ansible_python_interpreter=%s\n'
                                     % (host, sys.executable) for host in names))
        variables = {'sim_url': simulator.url, 'sim_ca': simulator.ca_file, 'sim_token': TOKEN}
        variables.update(extra_vars or {})
        vars_file = tmp_path / ('vars-%d.json' % number)
        vars_file.write_text(json.dumps(variables))
        command = [_tool('ansible-playbook'), '-i', str(inventory), '-e', '@%s' % vars_file,
                   os.path.join(PLAYBOOKS, name)]
        if verbosity:
            command.append('-' + 'v' * verbosity)
        if check:
            command.append('--check')
        if diff:
            command.append('--diff')
        if hosts:
            command.extend(['--forks', str(hosts)])
        # Each test gets its own temp dir, so its own request budget files: tests do not pace each other.
        private_tmp = tmp_path / 'tmp'
        private_tmp.mkdir(exist_ok=True)
        # env may name another TMPDIR: a run with files of its own, as a job in another container has.
        environment = clean_environment(**dict(dict(
            TMPDIR=str(private_tmp),
            ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
            ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0', ANSIBLE_RETRY_FILES_ENABLED='false',
            ANSIBLE_LOCAL_TEMP=str(tmp_path / 'ansible-local'), ANSIBLE_HOME=str(tmp_path / 'ansible-home'),
            ANSIBLE_REMOTE_TMP=str(tmp_path / 'ansible-remote')), **(env or {})))
        if popen:
            # For tests that signal the run: its own session, so the signal reaches the whole group.
            return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    env=environment, start_new_session=True)
        completed = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=600, check=False)
        result = PlaybookResult(completed)
        if expect_rc is not None:
            assert result.rc == expect_rc, repr(result)
        assert 'Traceback' not in result.output, repr(result)
        return result

    return run


class Waited:
    def __init__(self, played, result, results):
        self.played = played
        self.result = result
        self.results = results


@pytest.fixture
def wait_on(run_playbook, tmp_path):
    """Run wait.yml: returns a Waited with the PlaybookResult, the first host's result, and all hosts' results."""
    def run(ids, hosts=None, check=False, verbosity=0, env=None, **options):
        result_dir = tmp_path / 'results'
        result_dir.mkdir(exist_ok=True)
        played = run_playbook('wait.yml', {'ids': ids, 'wait_options': options, 'result_dir': str(result_dir)},
                              env=env, verbosity=verbosity, check=check, hosts=hosts)
        results = {}
        for name in sorted(os.listdir(result_dir)):
            with open(result_dir / name) as handle:
                results[name[:-5]] = json.load(handle)
        return Waited(played, results[sorted(results)[0]], results)
    return run
