# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The task_status lookup and the task_facts filter, through ansible-playbook against the simulator."""

from conftest import TOKEN


def test_lookup_and_filter(simulator, run_playbook):
    simulator.load({'tasks': [
        {'id': 'deploy-1', 'task_type': 'DEVICE_DEPLOYMENT', 'timeline': [{'at': 0, 'status': 'Deployed'}],
         'sub_tasks': [{'target': {'id': 'd1', 'name': 'ftd-1'}, 'timeline': [{'at': 0, 'status': 'SUCCESS'}]},
                       {'target': {'id': 'd2', 'name': 'ftd-2'}, 'timeline': [{'at': 0, 'status': 'FAILED'}]}]},
        {'id': 'reg-1', 'task_type': 'DEVICE_REGISTRATION', 'timeline': [{'at': 0, 'status': 'Success'}]},
    ]})
    played = run_playbook('lookup_filter.yml', env={'CDFMC_API_TOKEN': TOKEN})
    assert TOKEN not in played.output
    reads = [r for r in simulator.requests() if '/taskstatuses/' in r['path']]
    assert len(reads) == 5 and all(r['authorized'] for r in reads)
