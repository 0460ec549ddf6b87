# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Job history read as FMC writes it: ISO times, device words, containers, jobs without devices."""

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import StatusMapper
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._jobs import (
    deployed_since,
    deploying_devices,
    epoch_ms,
    read_job,
    states_by_device,
    window_filter,
)


@pytest.mark.parametrize('value,expected', [
    ('2020-05-16T10:29:01Z', 1589624941000), ('2020-05-16T10:29:01.25Z', 1589624941250),
    ('2020-05-16T12:29:01+02:00', 1589624941000), ('2020-05-16T10:29:01', 1589624941000),
    ('2020-05-16 10:29:01z', 1589624941000), (1589624941, 1589624941000), ('1589624941000', 1589624941000),
    (1597640332903, 1597640332903), ('0', 0),
    ('yesterday', None), ('', None), (None, None), (True, None), ('2020-13-45T99:00:00Z', None), (-5, None),
])
def test_times_are_read_from_iso_text_seconds_or_milliseconds(value, expected):
    assert epoch_ms(value) == expected


def test_the_window_filter_gives_start_and_end_together_in_seconds():
    assert window_filter(1700000000.9, 1700003600) == 'startTime:1700000000;endTime:1700003600'


def test_a_job_reads_device_words_mixed_case_and_no_part():
    warnings = []
    job = read_job({'id': 'j1', 'jobName': 'Deploy_Job_6', 'jobType': 'deployment', 'jobStatus': 'Deployed',
                    'startTime': '2020-05-16T10:29:01Z', 'endTime': '2020-05-16T10:30:26Z', 'user': 'admin',
                    'deploymentNote': 'Change 42', 'deviceList': [
                        {'deviceUUID': 'd1', 'deviceName': '10.10.6.104', 'deploymentStatus': 'SUCCEEDED',
                         'deployedVersion': 2},
                        {'deviceUUID': 'm1', 'containerUUID': 'ha', 'containerName': 'vFTD-HA',
                         'deploymentStatus': 'PRIMARY_BOOTSTRAP_PARTIALLY_SUCCEEDED', 'deployedVersion': -1},
                        {'deviceUUID': 'd2', 'deploymentStatus': 'NONE'}, {'deviceUUID': 'd3'},
                        'junk', {'deploymentStatus': 'FAILED'}]}, StatusMapper(warn=warnings.append))
    assert (job['type'], job['state'], job['start_ms'], job['end_ms'], job['note']) == (
        'DEPLOYMENT', 'succeeded', 1589624941000, 1589625026000, 'Change 42')
    assert [(d['id'], d['container_id'], d['state']) for d in job['devices']] == [
        ('d1', None, 'succeeded'), ('m1', 'ha', 'failed'), ('d2', None, None), ('d3', None, 'succeeded')]
    assert states_by_device(job) == {'d1': ['succeeded'], 'ha': ['failed'], 'd3': ['succeeded']}
    assert warnings == []
    assert read_job('junk', StatusMapper()) is None


def test_an_unknown_system_job_without_devices_and_an_edit_lock_count_for_nothing():
    mapper = StatusMapper()
    jobs = [read_job({'id': 's', 'jobType': 'UNKNOWN', 'jobStatus': 'DEPLOYED', 'startTime': '2020-05-16T10:15:19Z'},
                     mapper),
            read_job({'id': 'e', 'jobType': 'DEPLOYMENT', 'jobStatus': 'EDIT_INUSE', 'startTime': '2020-05-16T10:15:19Z',
                      'deviceList': [{'deviceUUID': 'd1'}]}, mapper)]
    assert deployed_since(jobs, 0) == {} and deploying_devices(jobs) == set()


def test_deployed_since_takes_the_newest_deployment_that_ended_lately_not_rolled_back_since():
    mapper = StatusMapper()

    def job(start, job_type='DEPLOYMENT', end=None, **devices):
        return read_job({'jobType': job_type, 'startTime': start, 'endTime': end or start.replace(':00Z', ':30Z'),
                         'deviceList': [dict({'deviceUUID': device, 'deploymentStatus': status},
                                             **({'containerUUID': 'ha'} if device[0] == 'm' else {}))
                                        for device, status in devices.items()]}, mapper)
    jobs = [job('2020-05-16T10:00:00Z', a='SUCCEEDED', b='SUCCEEDED', m1='SUCCEEDED', m2='SUCCEEDED'),
            job('2020-05-16T11:00:00Z', a='Succeeded', m1='SUCCEEDED', m2='FAILED', c='SUCCEEDED'),
            job('2020-05-16T12:00:00Z', 'ROLLBACK', a='SUCCEEDED'),  # a is out of date again after it
            job('2020-05-16T13:00:00Z', b='DEPLOYING', m1='DEPLOYING')]
    assert deployed_since(jobs, 0) == {'b': 1589623200000, 'ha': 1589623200000, 'c': 1589626800000}
    assert deploying_devices(jobs) == {'b', 'ha'}
    # A job that ended before the credit's start says nothing of what is pending now.
    assert deployed_since(jobs, 1589626800000) == {'c': 1589626800000}
    # Times whose zone is not known give no credit.
    unzoned = job('2020-05-16T10:00:00', end='2020-05-16T10:00:30', d='SUCCEEDED')
    assert unzoned['start_ms'] is None and deployed_since([unzoned], 0) == {}
