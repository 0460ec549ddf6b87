# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fmc_events source, loaded as ansible-rulebook loads it (runpy, from the collection's tree), against the
simulator over HTTPS: events, their order and ids, what is kept across restarts, faults, cancel."""

import asyncio
import json
import logging
import os
import runpy
import threading
import time

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils._client import connect
from ansible_collections.cisco.cdfmc.plugins.module_utils._connection_spec import CDFMC_GLOBAL_DOMAIN_UUID
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._event_source import Poller, argument_spec, read_options
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._event_store import StateUnavailable
from cdfmc_simulator.history import JOB_ID
from cdfmc_simulator.server import serve_in_thread
from support import connection_settings

import ansible_collections.cisco.cdfmc as collection

SOURCE = os.path.join(os.path.dirname(collection.__path__[0]), 'cdfmc', 'extensions', 'eda', 'plugins',
                      'event_source', 'fmc_events.py')
TOKEN = 'sim-token'
DOMAIN = '/fmc_config/v1/domain/%s' % CDFMC_GLOBAL_DOMAIN_UUID
SCENARIO = {
    'devices': [{'id': 'd1', 'name': 'ftd-1', 'pending': [{'policy': 'ACP'}]},
                {'id': 'd2', 'name': 'ftd-2', 'outcome': 'failed'}, {'id': 'd3', 'name': 'ftd-3'}],
    'deployment': {'step_seconds': 0.2},
    'history': [{'units': ['d1']}, {'units': ['d1'], 'note': 'second'}],
}
POLL = 0.2


@pytest.fixture(scope='module')
def main():
    return runpy.run_path(SOURCE)['main']


def source_args(simulator, **extra):
    args = {'base_url': simulator.url, 'api_token': TOKEN, 'ca_path': simulator.ca_file, 'poll_interval': POLL,
            'max_requests_per_minute': 6000, 'max_retries': 1, 'request_timeout': 2}
    args.update(extra)
    return args


class Running:
    """The source running as a task of the test's loop, its events gathered."""

    def __init__(self, main, args):
        self.queue = asyncio.Queue()
        self.task = asyncio.ensure_future(main(self.queue, args))
        self.events = []

    async def until(self, done, timeout=8.0):
        """Gather events until ``done(events)``; the events (fails after ``timeout`` seconds)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while not done(self.events):
            if self.task.done():
                self.task.result()
                pytest.fail('the source returned on its own')
            assert loop.time() < end, 'no such events within %s s: %r' % (timeout, self.events)
            try:
                self.events.append(await asyncio.wait_for(self.queue.get(), 0.05))
            except asyncio.TimeoutError:
                pass
        return self.events

    async def quiet(self, seconds):
        """The events that come within ``seconds``."""
        await asyncio.sleep(seconds)
        while not self.queue.empty():
            self.events.append(self.queue.get_nowait())
        return self.events

    async def stop(self):
        started = time.monotonic()
        self.task.cancel()
        done, _pending = await asyncio.wait([self.task], timeout=5)
        assert done and self.task.cancelled()  # it ended, as cancelled (no error of its own)
        return time.monotonic() - started


def deploy(simulator, devices, note=''):
    with connect(connection_settings(base_url=simulator.url, api_token=TOKEN, ca_path=simulator.ca_file)) as client:
        body = {'type': 'DeploymentRequest', 'version': '1', 'deviceList': devices, 'deploymentNote': note,
                'ignoreWarning': True}
        return client.request('POST', DOMAIN + '/deployment/deploymentrequests', json_body=body).body


def roll_back(simulator, job_number, devices):
    with connect(connection_settings(base_url=simulator.url, api_token=TOKEN, ca_path=simulator.ca_file)) as client:
        body = {'type': 'RollbackRequest',
                'rollbackDeviceList': [{'deploymentJobId': JOB_ID % job_number, 'deviceList': devices}]}
        return client.request('POST', DOMAIN + '/deployment/rollbackrequests', json_body=body).body


def ids(events):
    return [event['cdfmc']['id'] for event in events]


def count(n):
    return lambda events: len(events) >= n


# FMC's word for the job: FAILED, or DEPLOYED beside a device that failed (Cisco does not say it follows them).
@pytest.mark.parametrize('job_status', [None, 'DEPLOYED'])
def test_an_ended_deployment_gives_one_job_event_then_one_per_device(simulator, main, job_status):
    simulator.load(dict(SCENARIO, deployment=dict(SCENARIO['deployment'], job_status=job_status)))

    async def scenario():
        source = Running(main, source_args(simulator))
        await source.quiet(3 * POLL)  # the history before the start gives nothing
        assert source.events == []
        deploy(simulator, ['d1', 'd2'], note='change 42')
        await source.until(count(3))
        await source.quiet(4 * POLL)
        await source.stop()
        return source.events

    events = asyncio.run(scenario())
    job_id = JOB_ID % 3
    assert ids(events) == ['deployment:%s' % job_id, 'deployment:%s:d1' % job_id, 'deployment:%s:d2' % job_id]
    job = events[0]['cdfmc']
    assert job['kind'] == 'deployment' and job['state'] == 'failed' and job['message'] == (job_status or 'FAILED')
    assert job['job']['type'] == 'DEPLOYMENT' and job['job']['note'] == 'change 42' and job['job']['user'] == 'automation'
    assert job['job']['start_time'].endswith('Z') and job['job']['end_time'] >= job['job']['start_time']
    assert [(d['id'], d['name'], d['type'], d['state']) for d in job['devices']] == [
        ('d1', 'ftd-1', 'Device', 'succeeded'), ('d2', 'ftd-2', 'Device', 'failed')]
    assert 'device' not in job and 'meta' not in events[0]  # ansible-rulebook adds meta
    device = events[2]['cdfmc']
    assert device['device'] == {'id': 'd2', 'name': 'ftd-2', 'type': 'Device'} and device['state'] == 'failed'
    assert device['message'] == 'FAILED' and device['job'] == job['job'] and device['container'] is None


def test_rollbacks_give_events_and_unknown_system_jobs_none(simulator, main):
    simulator.load(SCENARIO)

    async def scenario():
        source = Running(main, source_args(simulator))
        await source.quiet(2 * POLL)
        roll_back(simulator, 1, ['d1'])
        await source.until(count(2))
        await source.quiet(3 * POLL)
        await source.stop()
        return source.events

    events = asyncio.run(scenario())
    assert ids(events) == ['deployment:%s' % (JOB_ID % 3), 'deployment:%s:d1' % (JOB_ID % 3)]
    assert events[0]['cdfmc']['job']['type'] == 'ROLLBACK' and events[0]['cdfmc']['state'] == 'succeeded'
    assert all(event['cdfmc']['job']['type'] != 'UNKNOWN' for event in events)


def test_a_job_running_when_the_source_starts_gives_its_events_once_when_it_ends(simulator, main):
    simulator.load(dict(SCENARIO, deploying=[{'units': ['d3'], 'seconds': 1.5}]))

    async def scenario():
        source = Running(main, source_args(simulator))
        await source.until(count(2))
        await source.quiet(5 * POLL)
        await source.stop()
        return source.events

    events = asyncio.run(scenario())
    assert ids(events) == ['deployment:%s' % (JOB_ID % 3), 'deployment:%s:d3' % (JOB_ID % 3)]
    assert events[0]['cdfmc']['job']['user'] == 'another-admin'


@pytest.mark.parametrize('where', ['state_dir', 'budget_url'])
def test_a_restart_repeats_nothing_and_loses_nothing(simulator, main, tmp_path, start_redis, where):
    simulator.load(SCENARIO)
    store = {'state_dir': str(tmp_path / 'state')} if where == 'state_dir' else {'budget_url': start_redis().url()}

    async def scenario():
        first = Running(main, source_args(simulator, **store))
        deploy(simulator, ['d1'])
        await first.until(count(2))
        await first.stop()
        deploy(simulator, ['d3'])  # starts and ends while no source runs
        await asyncio.sleep(0.8)
        second = Running(main, source_args(simulator, **store))
        await second.until(count(2))
        await second.quiet(4 * POLL)
        await second.stop()
        return first.events, second.events

    before, after = asyncio.run(scenario())
    assert ids(before) == ['deployment:%s' % (JOB_ID % 3), 'deployment:%s:d1' % (JOB_ID % 3)]
    assert ids(after) == ['deployment:%s' % (JOB_ID % 4), 'deployment:%s:d3' % (JOB_ID % 4)]


# With state_dir too, the second run on another node (a directory of its own): its file is not what Redis keeps.
@pytest.mark.parametrize('state_dir', [False, True])
def test_a_store_that_cannot_be_read_at_start_is_read_once_it_can_and_nothing_is_lost(
        simulator, main, redis_server, tmp_path, state_dir):
    simulator.load(SCENARIO)
    store = {'budget_url': redis_server.url()}

    def node(name):
        return dict(store, state_dir=str(tmp_path / name)) if state_dir else store

    async def scenario():
        first = Running(main, source_args(simulator, **node('first')))
        deploy(simulator, ['d1'])
        await first.until(count(2))
        await first.stop()
        deploy(simulator, ['d3'])  # starts and ends while no source runs
        await asyncio.sleep(0.8)
        redis_server.stop()  # what was seen cannot be read: the source starts afresh in memory
        try:
            second = Running(main, source_args(simulator, **node('second')))
            await second.quiet(2.0)
            assert second.events == []
        finally:
            redis_server.cont()
        await second.until(count(2))  # read at last, and taken over: the job that ended meanwhile is not lost
        await second.quiet(4 * POLL)
        await second.stop()
        return second.events

    assert ids(asyncio.run(scenario())) == ['deployment:%s' % (JOB_ID % 4), 'deployment:%s:d3' % (JOB_ID % 4)]


class LateStore:
    """A store whose loads give ``answers`` in turn (StateUnavailable: it cannot be read); saves are kept."""

    describe = 'a store read late'

    def __init__(self, answers):
        self.answers, self.saved = list(answers), []

    def load(self, deadline):
        answer = self.answers.pop(0)
        if answer is StateUnavailable:
            raise StateUnavailable('cannot be read')
        return answer

    def save(self, data, deadline):
        self.saved.append(data)


def test_a_state_read_late_and_too_old_to_go_on_from_leaves_what_this_run_has_seen(simulator):
    simulator.load(SCENARIO)
    poller = Poller(read_options(source_args(simulator)), threading.Event())
    try:
        poller.store = LateStore([StateUnavailable, StateUnavailable, {'polled_ms': 1, 'ended': {}, 'running': {}}])
        poller.start()
        assert poller.poll() == []  # afresh, in memory: what ended before is taken as seen
        poller.save()
        assert poller.store.saved == []  # nothing written over what the store keeps
        deploy(simulator, ['d1'])
        time.sleep(1.5)  # it ends
        # Read at last, but polled more than 7 days ago: not taken over (it would start afresh and lose the job).
        assert ids(poller.poll()) == ['deployment:%s' % (JOB_ID % 3), 'deployment:%s:d1' % (JOB_ID % 3)]
        poller.save()
        assert JOB_ID % 3 in poller.store.saved[-1]['ended']
    finally:
        poller.client.close()


def test_a_value_in_redis_that_is_not_the_sources_is_taken_as_none_and_replaced(simulator, main, redis_server):
    simulator.load(SCENARIO)
    args = source_args(simulator, budget_url=redis_server.url())

    async def scenario(job):
        source = Running(main, args)
        await source.quiet(3 * POLL)
        deploy(simulator, ['d1'])
        await source.until(count(2))
        await source.stop()
        return ids(source.events) == ['deployment:%s' % (JOB_ID % job), 'deployment:%s:d1' % (JOB_ID % job)]

    assert asyncio.run(scenario(3))
    admin = redis_server.admin()
    (key,) = [key for key in admin.keys('cdfmc:*') if ':events:' in key]
    admin.set(key, b'\xff\xfe not JSON, not even UTF-8')
    assert asyncio.run(scenario(4))  # read as nothing seen, and written over
    assert json.loads(admin.get(key))['ended']


def test_without_a_store_a_restart_gives_nothing_for_jobs_that_ended_before_it(simulator, main):
    simulator.load(SCENARIO)

    async def scenario():
        deploy(simulator, ['d3'])
        await asyncio.sleep(0.8)
        source = Running(main, source_args(simulator))
        await source.quiet(4 * POLL)
        await source.stop()
        return source.events

    assert asyncio.run(scenario()) == []


def test_pending_changes_give_one_event_per_device_and_version_once_old_enough(simulator, main):
    simulator.load(SCENARIO)
    args = source_args(simulator, kinds=['pending'], pending_older_than=0.6)

    async def scenario():
        source = Running(main, args)
        await source.quiet(2 * POLL)
        assert source.events == []  # first seen now, whatever the version's time says
        await source.until(count(1))
        simulator.server.simulator.change('d3', {'policy': 'NAT'})
        await source.until(count(2))
        await source.quiet(5 * POLL)
        await source.stop()
        return source.events

    events = asyncio.run(scenario())
    assert [event['cdfmc']['device']['id'] for event in events] == ['d1', 'd3']
    assert len(set(ids(events))) == 2 and all(event['cdfmc']['id'].startswith('pending:') for event in events)
    pending = events[0]['cdfmc']
    assert pending['kind'] == 'pending' and pending['state'] == 'pending' and pending['policies'] == ['ACP']
    assert pending['device'] == {'id': 'd1', 'name': 'ftd-1', 'type': 'Device'}
    assert pending['id'] == 'pending:d1:%s' % pending['version'] and pending['pending_since'].endswith('Z')


def test_faults_are_told_once_per_outage_and_polling_goes_on(simulator, main, caplog):
    simulator.load(dict(SCENARIO, faults=[
        {'status': 429, 'retry_after': 1, 'times': 1, 'match': {'path': 'jobhistories'}},
        {'status': 503, 'times': 6, 'match': {'path': 'jobhistories'}}]))
    caplog.set_level(logging.WARNING, logger='cisco.cdfmc.fmc_events')

    async def scenario():
        source = Running(main, source_args(simulator))
        while not any('answers again' in record.getMessage() for record in caplog.records):
            await source.quiet(POLL)
        deploy(simulator, ['d1'])
        await source.until(count(2))
        await source.stop()
        return source.events

    events = asyncio.run(scenario())
    assert ids(events) == ['deployment:%s' % (JOB_ID % 3), 'deployment:%s:d1' % (JOB_ID % 3)]
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2 and 'cannot be polled' in lines[0] and 'HTTP 503' in lines[0] and 'answers again' in lines[1]
    assert not any(TOKEN in line for line in lines)


def test_a_server_down_for_a_while_is_one_outage_then_events_come(certificates, closed_port, main, caplog):
    caplog.set_level(logging.WARNING, logger='cisco.cdfmc.fmc_events')
    url = 'https://127.0.0.1:%d' % closed_port

    async def scenario():
        source = Running(main, {'base_url': url, 'api_token': TOKEN, 'ca_path': certificates['ca_file'],
                                'poll_interval': POLL, 'max_retries': 0, 'request_timeout': 1})
        await source.quiet(1.0)
        server, _url = serve_in_thread(port=closed_port, scenario=SCENARIO, cert_file=certificates['cert_file'],
                                       key_file=certificates['key_file'])
        try:
            await source.quiet(1.0)  # the history as it stands is taken as seen
            up = type('Up', (), {'url': url, 'ca_file': certificates['ca_file']})
            deploy(up, ['d1'])
            await source.until(count(2))
            await source.stop()
        finally:
            server.shutdown()
            server.server_close()
        return source.events

    events = asyncio.run(scenario())
    assert ids(events) == ['deployment:%s' % (JOB_ID % 3), 'deployment:%s:d1' % (JOB_ID % 3)]
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2 and 'cannot be polled' in lines[0] and 'answers again' in lines[1]


def test_an_expiring_on_prem_login_is_renewed_without_a_word(simulator, main, caplog):
    simulator.load(dict(SCENARIO, auth={'mode': 'fmc', 'username': 'api', 'password': 'S3cret!pw',
                                        'token_lifetime': 0.5, 'max_refreshes': 1}))
    caplog.set_level(logging.DEBUG, logger='cisco.cdfmc.fmc_events')
    args = source_args(simulator, username='api', password='S3cret!pw', domain='Global')
    del args['api_token']

    async def scenario():
        source = Running(main, args)
        await source.quiet(2.0)
        await source.stop()
        return source.events

    assert asyncio.run(scenario()) == []
    assert simulator.server.simulator.logins >= 2
    lines = [record.getMessage() for record in caplog.records]
    assert not [line for line in lines if 'cannot be polled' in line]
    assert not [line for line in lines if 'S3cret!pw' in line]


def test_cancel_ends_at_once_even_in_a_long_wait(certificates, main):
    # A server of its own: the 429 hold-off is shared by every process that polls that server.
    server, url = serve_in_thread(scenario=dict(SCENARIO, faults=[{'status': 429, 'retry_after': 30, 'times': None}]),
                                  cert_file=certificates['cert_file'], key_file=certificates['key_file'])
    args = {'base_url': url, 'api_token': TOKEN, 'ca_path': certificates['ca_file'], 'poll_interval': POLL,
            'max_retries': 3}

    async def scenario():
        source = Running(main, args)
        await asyncio.sleep(0.5)
        return await source.stop()

    try:
        assert asyncio.run(scenario()) < 3.0
    finally:
        server.shutdown()
        server.server_close()


def test_a_bad_argument_fails_at_start_and_shows_no_secret(main):
    async def start(args):
        await asyncio.wait_for(main(asyncio.Queue(), args), 5)

    with pytest.raises(CdfmcOptionError, match='poll_interval') as error:
        asyncio.run(start({'base_url': 'https://fmc.example.com', 'api_token': 'T0ken-secret', 'poll_interval': 0}))
    assert 'T0ken-secret' not in str(error.value)
    with pytest.raises(CdfmcOptionError, match='kinds') as error:
        asyncio.run(start({'base_url': 'https://fmc.example.com', 'api_token': 'T0ken-secret', 'kinds': ['bogus']}))
    assert 'T0ken-secret' not in str(error.value)
    with pytest.raises(CdfmcOptionError, match='Unsupported'):
        asyncio.run(start({'base_url': 'https://fmc.example.com', 'api_token': 'T0ken-secret', 'interval': 5}))


def test_the_documented_options_are_the_argument_spec():
    import yaml
    documented = yaml.safe_load(runpy.run_path(SOURCE)['DOCUMENTATION'])
    fragment = runpy.run_path(os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(SOURCE))), '..', '..',
                                           'plugins', 'doc_fragments', 'connection.py'))
    options = set(documented['options']) | set(yaml.safe_load(fragment['ModuleDocFragment'].DOCUMENTATION)['options'])
    assert options == set(argument_spec())


def test_with_nothing_changing_each_poll_is_one_request(simulator, main):
    simulator.load(SCENARIO)

    async def scenario():
        source = Running(main, source_args(simulator))
        await source.quiet(10 * POLL)
        await source.stop()

    asyncio.run(scenario())
    paths = [request['path'].rsplit('/', 1)[-1] for request in simulator.requests]
    filters = [request['query'].get('filter', [''])[0] for request in simulator.requests]
    assert set(paths) == {'jobhistories'} and len(paths) <= 10 + 2  # ten polls at most, and the first one's two
    # The first poll also reads what is deploying now; every later one reads the window only.
    assert [text for text in filters if 'DEPLOYING' in text] == ['jobType:DEPLOYMENT;status:DEPLOYING']


def test_while_a_job_is_followed_each_poll_reads_the_deployments_deploying_too(simulator, main):
    simulator.load(dict(SCENARIO, deploying=[{'units': ['d3'], 'seconds': 1.5}]))

    async def scenario():
        source = Running(main, source_args(simulator))
        await source.until(count(2))
        await source.quiet(4 * POLL)
        await source.stop()

    asyncio.run(scenario())
    filters = [request['query'].get('filter', [''])[0] for request in simulator.requests]
    deploying = [index for index, text in enumerate(filters) if 'DEPLOYING' in text]
    assert len(deploying) >= 3 and deploying[0] <= 1  # the first poll's, then one per poll while d3's job runs
    assert len(filters) - len(deploying) >= len(deploying) + 2  # none once it has ended


def test_a_state_dir_that_cannot_be_used_is_named_at_start(main, tmp_path):
    not_a_directory = tmp_path / 'file'
    not_a_directory.write_text('x')

    async def start(args):
        await asyncio.wait_for(main(asyncio.Queue(), args), 5)

    with pytest.raises(CdfmcOptionError, match='state_dir .*file'):
        asyncio.run(start({'base_url': 'https://fmc.example.com', 'api_token': 'T0ken', 'state_dir': str(not_a_directory)}))
    from ansible_collections.cisco.cdfmc.plugins.plugin_utils._event_source import read_options
    made = tmp_path / 'made' / 'state'
    read_options({'base_url': 'https://fmc.example.com', 'api_token': 'T0ken', 'state_dir': str(made)})
    assert made.is_dir() and (made.stat().st_mode & 0o777) == 0o700


def test_a_stored_state_that_is_not_the_sources_and_a_store_that_fails_do_not_end_it(simulator, main, tmp_path, caplog):
    simulator.load(SCENARIO)
    caplog.set_level(logging.WARNING, logger='cisco.cdfmc.fmc_events')
    state_dir = tmp_path / 'state'
    state_dir.mkdir(mode=0o700)
    args = source_args(simulator, state_dir=str(state_dir))

    async def scenario(expected):
        source = Running(main, args)
        await source.quiet(3 * POLL)
        deploy(simulator, ['d1'])
        await source.until(count(2))
        await source.stop()
        return ids(source.events)[:2] == expected

    assert asyncio.run(scenario(['deployment:%s' % (JOB_ID % 3), 'deployment:%s:d1' % (JOB_ID % 3)]))
    (path,) = [state_dir / name for name in os.listdir(state_dir) if name.endswith('.json')]
    path.write_text('{"pending": ["x"], "ended": [1], "polled_ms": "soon"}')
    os.chmod(path, 0o600)
    assert asyncio.run(scenario(['deployment:%s' % (JOB_ID % 4), 'deployment:%s:d1' % (JOB_ID % 4)]))
    os.unlink(path)
    os.mkdir(path)  # the state can no longer be read nor written: told, and the source goes on in memory
    assert asyncio.run(scenario(['deployment:%s' % (JOB_ID % 5), 'deployment:%s:d1' % (JOB_ID % 5)]))
    assert any('cannot be used' in record.getMessage() for record in caplog.records)
