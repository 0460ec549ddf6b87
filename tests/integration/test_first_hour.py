# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The mistakes of a new user's first hour, through real ansible-playbook: each ends soon, with a message that
names the cause and the fix (docs/docsite/rst/guide_troubleshooting.rst lists them)."""

import re
import time

from test_cdfmc_deploy import deploy, fleet


def test_a_wait_on_a_closed_port_ends_within_its_bound_naming_host_port_and_refused(simulator, wait_on,
                                                                                    closed_port):
    port = closed_port
    options = {'base_url': 'https://127.0.0.1:%d' % port, 'max_retries': 3, 'request_timeout': 5}
    started = time.monotonic()
    waited = wait_on(['t1', 't2'], timeout=1800, **options)
    elapsed = time.monotonic() - started
    result, output = waited.result, waited.played.stdout
    # The bound: (max_retries + 1) x request_timeout plus the backoff (1 + 2 + 4 s at the most), not the timeout.
    assert result['failed'] and not result['timed_out'] and result['elapsed'] < 4 * 5 + 7, result
    assert elapsed < 60
    assert 'connection refused' in result['msg'] and 'host 127.0.0.1, port %d' % port in result['msg']
    assert 'has not answered once in this run' in result['msg'] and 'check base_url' in result['msg']
    assert all(task['error'] for task in result['tasks'])
    # A line per failed attempt at the default verbosity, with when it gives up.
    lines = re.findall(r'cisco\.cdfmc: https://127\.0\.0\.1:%d: connection refused; trying again in \d+ s; gives up '
                       r'at \d\d:\d\d:\d\d if it never answers' % port, output)
    assert len(lines) >= 3, output


def test_plain_http_to_the_tls_port_says_to_use_https(simulator, wait_on):
    simulator.load({'tasks': [{'id': 't1', 'timeline': [{'at': 0, 'status': 'Success'}]}]})
    plain = simulator.url.replace('https://', 'http://')
    result = wait_on('t1', base_url=plain + '/firewall').result
    assert result['failed'] and result['elapsed'] < 10, result
    assert 'the port answers TLS, not plain HTTP: set base_url to https://%s/firewall' % plain[len('http://'):] in \
        result['msg']
    assert simulator.requests() == []


def test_api_in_base_url_is_refused_with_the_address_to_use(simulator, wait_on):
    result = wait_on('t1', base_url=simulator.url + '/api').result
    assert result['failed'] and "base_url is the server's address without /api: use %s, not %s/api" % (
        simulator.url, simulator.url) in result['msg']
    assert simulator.requests() == []


def test_region_in_the_task_and_base_url_from_an_awx_credential_say_which_to_drop(simulator, wait_on):
    # An empty base_url counts as unset (AWX injects "" for empty inputs): the credential's variable applies.
    result = wait_on('t1', region='us', base_url='', env={'CDFMC_BASE_URL': simulator.url}).result
    assert result['failed'] and ('region is set in the task and base_url comes from the environment variable '
                                 'CDFMC_BASE_URL (as an AWX credential sets it); drop region from the task to use '
                                 'base_url, or unset CDFMC_BASE_URL') in result['msg']


def test_devices_as_one_string_say_devices_is_a_list(simulator, run_playbook, tmp_path):
    simulator.load(fleet())
    _played, results = deploy(run_playbook, tmp_path, 'ftd-1,ftd-2')
    result = results['localhost']['deployed']
    assert result['failed'] and 'devices is a list of names or ids' in result['msg']
    assert 'devices: [ftd-1, ftd-2]' in result['msg'] and simulator.requests() == []


def test_several_hosts_deploying_the_same_devices_are_told_to_use_run_once(simulator, run_playbook, tmp_path):
    simulator.load(fleet())
    played, results = deploy(run_playbook, tmp_path, ['ftd-1', 'ftd-2'], hosts=3)
    outcomes = [results[host]['deployed'] for host in ('host01', 'host02', 'host03')]
    assert sorted(outcome['changed'] for outcome in outcomes) == [False, False, True]
    hinted = [outcome for outcome in outcomes if not outcome['changed']]
    for outcome in hinted:
        (warning,) = [w for w in outcome.get('warnings', []) if 'run_once' in w]
        assert 'another host of this play deployed ftd-1, ftd-2 a moment ago in this same task' in warning
    # In the play's output too (ansible-playbook shows a warning given by several hosts once).
    assert 'give the task run_once: true' in ' '.join(played.output.split())  # older cores wrap warnings


def test_nothing_to_deploy_says_why_it_waits(simulator, run_playbook, tmp_path):
    simulator.load(fleet())
    played, results = deploy(run_playbook, tmp_path, ['ftd-3'], pending_grace=1)
    assert not results['localhost']['deployed']['changed']
    assert 'cdfmc_deploy: nothing pending for ftd-3; reading the list again in 1 s (pending_grace)' in played.stdout
