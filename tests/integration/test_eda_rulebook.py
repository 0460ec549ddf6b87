# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The example rulebook (extensions/eda/rulebooks/rollback_failed_deployment.yml), run by a real ansible-rulebook
from the installed tarball, with no PYTHONPATH, against the simulator: a deployment that fails on one device
starts the rollback playbook once, the devices it changed return to the configuration before it, the rollback's
own failed job starts nothing, and the token never shows in ansible-rulebook's -vv output.

ansible-rulebook needs Java 17 or later (.ci/run installs Debian's default-jre-headless). The test skips where Java
or ansible-rulebook is missing, unless CDFMC_REQUIRE_EDA=1 (CI): then it fails. The newest ansible-core only."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest
import yaml

from ansible.release import __version__ as ANSIBLE_CORE

from components import skip_unless_required
from conftest import BIN, TOKEN, clean_environment
from test_cdfmc_deploy import deploy
from test_cdfmc_rollback import WAIT, job_id, rollback_fleet, rollback_posts

CORE = tuple(int(part) for part in re.findall(r'\d+', ANSIBLE_CORE)[:2])
pytestmark = pytest.mark.skipif(CORE < (2, 19), reason='the rulebook runs on the newest ansible-core leg only (2.19 '
                                                       'or later), not on %s' % ANSIBLE_CORE)

RULEBOOK = 'cisco.cdfmc.rollback_failed_deployment'
RULEBOOKS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'extensions',
                         'eda', 'rulebooks')
# Long enough for a slow CI runner, short against the suite: a run takes some 20 s here.
PATIENCE = 90


def _missing():
    """Why ansible-rulebook cannot run here (None: it can)."""
    if not os.path.exists(os.path.join(BIN, 'ansible-rulebook')):
        return 'ansible-rulebook is not installed in %s (tests/requirements-tools.txt)' % BIN
    java = shutil.which('java', path=os.path.join(os.environ['JAVA_HOME'], 'bin')) if os.environ.get(
        'JAVA_HOME') else shutil.which('java')
    if java is None:
        return 'no Java here (ansible-rulebook needs Java 17 or later; .ci/run installs default-jre-headless)'
    return None


@pytest.fixture
def rulebook_runs(tmp_path):
    """Start ansible-rulebook processes (each in a group of its own, killed at teardown); each writes its output to a
    file, returned with the process."""
    skip_unless_required(_missing(), 'CDFMC_REQUIRE_EDA')
    started = []

    def start(command, environment):
        output = tmp_path / ('rulebook-%d.log' % len(started))
        with open(output, 'w') as handle:
            process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, env=environment,
                                       cwd=str(tmp_path), start_new_session=True)
        started.append(process)
        return process, output

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _until(predicate, what, process, output):
    deadline = time.monotonic() + PATIENCE
    while not predicate():
        assert process.poll() is None, 'ansible-rulebook ended (rc %s) before %s:\n%s' % (
            process.returncode, what, output.read_text()[-6000:])
        assert time.monotonic() < deadline, 'no %s after %d s:\n%s' % (what, PATIENCE, output.read_text()[-6000:])
        time.sleep(0.2)


def test_a_failed_deployment_is_rolled_back_once_and_the_failed_rollback_starts_no_other(
        simulator, run_playbook, collections_path, rulebook_runs, tmp_path):
    scenario = rollback_fleet()
    scenario['devices'][0]['rollback_outcome'] = 'failed'  # fw-1: the rollback's own job fails too
    simulator.load(scenario)
    installed = os.path.join(collections_path, 'ansible_collections', 'cisco', 'cdfmc')
    assert os.path.isfile(os.path.join(installed, 'extensions', 'eda', 'rulebooks', 'rollback_failed_deployment.yml'))
    inventory = tmp_path / 'inventory.ini'
    inventory.write_text('localhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable)
    variables = tmp_path / 'vars.json'
    variables.write_text(json.dumps({'cdfmc_poll_interval': 0.5}))
    environment = clean_environment(
        PATH=os.pathsep.join([BIN, os.environ.get('PATH', '')]), TMPDIR=str(tmp_path),
        ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false', ANSIBLE_NOCOLOR='1',
        ANSIBLE_HOME=str(tmp_path / 'ansible-home'), ANSIBLE_LOCAL_TEMP=str(tmp_path / 'ansible-local'),
        CDFMC_BASE_URL=simulator.url + '/firewall', CDFMC_API_TOKEN=TOKEN, CDFMC_CA_PATH=simulator.ca_file)
    environment.pop('PYTHONPATH', None)  # the source finds the collection's code from where it is installed
    process, output = rulebook_runs([os.path.join(BIN, 'ansible-rulebook'), '--rulebook', RULEBOOK, '-i',
                                     str(inventory), '--vars', str(variables), '--print-events', '-vv'], environment)

    # The deployment must end after the source's first poll: jobs that ended before it started give no event.
    _until(lambda: any(r['path'].endswith('/deployment/jobhistories') for r in simulator.requests()),
           'poll of the job history', process, output)
    _played, results = deploy(run_playbook, tmp_path, ['fw-1', 'fw-2', 'fw-3'], note='Change 3', **WAIT)
    assert [(d['name'], d['state']) for d in results['localhost']['deployed']['deployed']] == [
        ('fw-1', 'succeeded'), ('fw-2', 'succeeded'), ('fw-3', 'failed')]

    _until(lambda: rollback_posts(simulator), 'rollback request', process, output)
    # The rollback job fails on fw-1: its events come, and the playbook ends; then two more polls.
    _until(lambda: "'type': 'ROLLBACK'" in output.read_text() and 'PLAY RECAP' in output.read_text(),
           'event of the ROLLBACK job and end of the playbook', process, output)
    time.sleep(1.5)
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    text = output.read_text()

    (post,) = rollback_posts(simulator)  # once, and the failed ROLLBACK job started no other
    assert post['body']['rollbackDeviceList'] == [{'deploymentJobId': job_id(2), 'deviceList': ['dev-1', 'dev-2']}]
    assert text.count('call_action run_playbook') == 1, text[-6000:]
    assert 'fw-3 left as it is: job Deploy_Job_3' in text, text[-6000:]  # the job did not change it
    # The failed ROLLBACK job's own event reached the rules, and matched none.
    assert "'id': 'deployment:%s', 'state': 'failed', 'job': {'id': '%s', 'name': 'Deploy_Job_4', 'type': " \
        "'ROLLBACK'" % (job_id(4), job_id(4)) in text, text[-6000:]
    assert TOKEN not in text
    assert 'Traceback' not in text, text[-6000:]


def _extra_vars(name):
    """The rulebook ``name`` of extensions/eda/rulebooks, checked as ansible-rulebook checks one, and the extra_vars
    of its action."""
    validators = pytest.importorskip('ansible_rulebook.validators', reason='ansible-rulebook is not installed')
    with open(os.path.join(RULEBOOKS, name)) as handle:
        rulebook = yaml.safe_load(handle)
    validators.Validate.rulebook(rulebook)  # its schema: run_job_template takes name, organization and job_args
    (action,) = rulebook[0]['rules'][0]['action'].values()
    return action['job_args']['extra_vars'] if 'job_args' in action else action['extra_vars']


def test_both_rulebooks_name_each_device_of_the_job_once_a_pair_member_as_its_pair():
    util = pytest.importorskip('ansible_rulebook.util', reason='ansible-rulebook is not installed')
    cli, aap = _extra_vars('rollback_failed_deployment.yml'), _extra_vars('rollback_failed_deployment_aap.yml')
    assert cli == aap  # the AAP rulebook in step with the CLI's
    pair = {'id': 'ha-1', 'name': 'fw-ha'}
    event = {'cdfmc': {'job': {'id': job_id(3)}, 'devices': [
        {'id': 'dev-1', 'name': 'fw-1', 'container': None}, {'id': 'dev-4', 'name': 'fw-ha-a', 'container': pair},
        {'id': 'dev-5', 'name': 'fw-ha-b', 'container': pair}, {'id': 'dev-2', 'name': 'fw-2', 'container': None}]}}
    # As ansible-rulebook renders an action's arguments (a NativeEnvironment, StrictUndefined, its own filters).
    rendered = util.substitute_variables(cli, {'event': event})
    assert rendered == {'cdfmc_job_id': job_id(3), 'cdfmc_devices': ['dev-1', 'dev-2', 'ha-1']}
