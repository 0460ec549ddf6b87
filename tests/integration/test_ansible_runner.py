# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A run through ansible-runner, the way AWX runs a job: credential variables in env/envvars, job events
in artifacts. The wait's progress lines must arrive as events while it runs, and no secret in any artifact."""

import json
import os
import shutil
import subprocess
import sys

import yaml

from conftest import BIN, PLAYBOOKS, TOKEN, _tool, clean_environment


def test_progress_arrives_as_job_events_and_artifacts_hold_no_secret(simulator, collections_path, tmp_path):
    simulator.load({'tasks': [{'id': 't1', 'task_type': 'DEVICE_DEPLOYMENT', 'starts': 'first_request',
                               'timeline': [{'at': 0, 'status': 'Deploying'}, {'at': 1.5, 'status': 'Deployed'}]}]})
    private = tmp_path / 'private'
    (private / 'project').mkdir(parents=True)
    (private / 'env').mkdir()
    (private / 'inventory').mkdir()
    shutil.copy(os.path.join(PLAYBOOKS, 'credential.yml'), private / 'project' / 'credential.yml')
    (private / 'inventory' / 'hosts').write_text(
        'localhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable)
    # What an AWX credential of the cdFMC type injects, as AWX hands it to ansible-runner.
    (private / 'env' / 'envvars').write_text(yaml.safe_dump({
        'CDFMC_BASE_URL': simulator.url + '/firewall', 'CDFMC_API_TOKEN': TOKEN, 'CDFMC_CA_PATH': simulator.ca_file,
        'CDFMC_REGION': '', 'CDFMC_DOMAIN': '', 'CDFMC_VALIDATE_CERTS': '',
        'ANSIBLE_COLLECTIONS_PATH': collections_path, 'TMPDIR': str(tmp_path)}))
    completed = subprocess.run([_tool('ansible-runner'), 'run', str(private), '-p', 'credential.yml', '--ident', 'job1'],
                               capture_output=True, text=True, timeout=300, check=False,
                               env=clean_environment(PATH=BIN + os.pathsep + os.environ.get('PATH', '')))
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-2000:]

    artifacts = private / 'artifacts' / 'job1'
    assert (artifacts / 'rc').read_text().strip() == '0'
    events = []
    for name in sorted(os.listdir(artifacts / 'job_events')):
        with open(artifacts / 'job_events' / name) as handle:
            events.append(json.load(handle))
    progress = [event for event in events if 'cdfmc_task_wait: task t1' in event.get('stdout', '')]
    assert [event['stdout'].split(': ', 2)[-1] for event in progress] == [
        '(none) -> Deploying (running), devices 0/0 done', 'Deploying -> Deployed (succeeded), devices 0/0 done']
    # They arrived while the task ran, before its result.
    result = [event for event in events if event['event'] == 'runner_on_ok'
              and event['event_data'].get('task_action') == 'cisco.cdfmc.cdfmc_task_wait']
    assert result and all(event['counter'] < result[0]['counter'] for event in progress)

    scanned = 0
    for root, _directories, names in os.walk(private / 'artifacts'):
        for name in names:
            if name == 'command':
                # ansible-runner's own copy of the environment it was given (AWX keeps it out of the job's
                # output): the credential's input, not something the job wrote.
                continue
            with open(os.path.join(root, name), 'rb') as handle:
                assert TOKEN.encode() not in handle.read(), os.path.join(root, name)
            scanned += 1
    assert scanned > len(events)  # every job event, the stdout and the status were read
