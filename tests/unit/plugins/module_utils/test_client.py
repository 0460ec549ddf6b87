# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client against the simulator on 127.0.0.1 (real HTTPS); sleeps are recorded, not slept."""

import re
import threading
import time

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils._client import USER_AGENT, CdfmcClient
from ansible_collections.cisco.cdfmc.plugins.module_utils._connection_spec import CDFMC_GLOBAL_DOMAIN_UUID
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import (
    CdfmcOptionError,
    CdfmcRequestError,
    CdfmcResponseError,
    CdfmcTLSError,
)
from support import FakeClock, connection_settings

TOKEN = 'sim-token'
TASK = {'id': 't1', 'task_type': 'DEVICE_DEPLOYMENT',
        'timeline': [{'at': 0, 'status': 'Deployed', 'message': 'done'}],
        'sub_tasks': [{'target': {'id': 'd1', 'name': 'ftd-1'}, 'timeline': [{'at': 0, 'status': 'SUCCESS'}]}]}


def make_client(simulator, sleeps=None, warn=None, **options):
    options.setdefault('base_url', simulator.url + '/firewall')
    options.setdefault('api_token', TOKEN)
    if simulator.ca_file:
        options.setdefault('ca_path', simulator.ca_file)
    clock = FakeClock(wall=time.time())  # the simulator dates its answers by the real clock
    if sleeps is not None:
        clock.sleeps = sleeps
    return CdfmcClient(connection_settings(**options), warn=warn, clock=clock)


def test_reads_task_with_detailed_status_and_user_agent(simulator):
    simulator.load({'tasks': [TASK]})
    with make_client(simulator) as client:
        body = client.get_task_status('t1')
    assert body['status'] == 'Deployed' and body['subTasks'][0]['target']['name'] == 'ftd-1'
    (request,) = simulator.requests
    assert request['path'] == '/firewall/v1/cdfmc/api/fmc_config/v1/domain/%s/job/taskstatuses/t1' % (
        CDFMC_GLOBAL_DOMAIN_UUID)
    assert request['query'] == {'showDetailedDeviceStatus': ['true']}
    assert request['authorized'] and request['user_agent'] == USER_AGENT
    assert client.request_count == 1


def test_without_detailed_status_the_parameter_is_omitted(simulator):
    simulator.load({'tasks': [TASK]})
    with make_client(simulator) as client:
        body = client.get_task_status('t1', detailed_device_status=False)
    assert 'subTasks' not in body
    assert simulator.requests[0]['query'] == {}


def test_one_session_is_kept_alive(simulator):
    simulator.load({'tasks': [TASK]})
    with make_client(simulator) as client:
        for task_id in ('t1', 't1', 't1'):
            client.get_task_status(task_id)
        assert len(client.session.adapters['https://'].poolmanager.pools) == 1


def test_bad_id_refused_before_any_request(simulator):
    with make_client(simulator) as client:
        with pytest.raises(CdfmcOptionError):
            client.get_task_status('../../x')
    assert simulator.requests == [] and client.request_count == 0


def test_wrong_token_is_one_clear_401(simulator):
    simulator.load({'tasks': [TASK]})
    sleeps = []
    with make_client(simulator, sleeps, api_token='not-the-token') as client:
        with pytest.raises(CdfmcRequestError) as caught:
            client.get_task_status('t1')
    message = str(caught.value)
    assert caught.value.status == 401 and 'HTTP 401' in message
    assert 'Invalid or expired access token' in message and 'api_token' in message
    # cdFMC's occasional spurious 401 is retried once; a token that is really wrong fails after that one retry.
    assert 'not-the-token' not in message and len(sleeps) == 1 and len(simulator.requests) == 2


def test_a_spurious_401_with_a_token_is_retried_once(simulator):
    simulator.load({'tasks': [TASK], 'faults': [{'status': 401, 'times': 1, 'message': 'Unauthorized'}]})
    sleeps = []
    with make_client(simulator, sleeps) as client:
        assert client.get_task_status('t1')['status'] == 'Deployed'
    assert len(sleeps) == 1 and client.request_count == 2


def test_the_401_retry_counts_against_max_retries(simulator):
    simulator.load({'tasks': [TASK], 'faults': [{'status': 401, 'times': 1}]})
    sleeps = []
    with make_client(simulator, sleeps, max_retries=0) as client:
        with pytest.raises(CdfmcRequestError, match='HTTP 401'):
            client.get_task_status('t1')
    assert sleeps == [] and client.request_count == 1


@pytest.mark.parametrize('text', ['Server busy. Please try again.', 'Retry the operation after sometime'])
def test_a_busy_400_is_retried_like_a_503(simulator, text):
    simulator.load({'tasks': [TASK], 'faults': [{'status': 400, 'times': 2, 'message': text}]})
    sleeps = []
    with make_client(simulator, sleeps) as client:
        assert client.get_task_status('t1')['status'] == 'Deployed'
    assert len(sleeps) == 2 and client.request_count == 3


def test_a_cdfmc_domain_other_than_global_is_warned_about():
    settings = connection_settings(region='us', api_token='t', domain_uuid='abc-123')
    (warning,) = settings.warnings
    assert 'domain_uuid abc-123 is not the Global domain of a cdFMC' in warning
    for options in ({}, {'domain_uuid': CDFMC_GLOBAL_DOMAIN_UUID.upper()}, {'domain': 'Global'}):
        assert connection_settings(region='us', api_token='t', **options).warnings == []
    assert connection_settings(base_url='https://fmc', username='u', password='p', domain_uuid='abc-123').warnings == []


def test_missing_task_404_with_top_level_error_body(simulator):
    with make_client(simulator) as client:
        with pytest.raises(CdfmcRequestError) as caught:
            client.get_task_status('nope')
    assert caught.value.status == 404 and 'Task nope not found.' in str(caught.value)
    assert 'GET /firewall/v1/cdfmc/api/fmc_config/v1/domain/' in str(caught.value)


def test_unknown_domain_404(simulator):
    simulator.load({'tasks': [TASK]})
    with make_client(simulator, domain_uuid='other-domain') as client:
        with pytest.raises(CdfmcRequestError, match='Domain other-domain not found'):
            client.get_task_status('t1')


@pytest.mark.parametrize('fault', [
    {'status': 503}, {'status': 500}, {'status': 502}, {'status': 504},
    {'status': 429}, {'action': 'drop'}, {'action': 'html', 'status': 502},
])
def test_transient_faults_are_retried(simulator, fault):
    simulator.load({'tasks': [TASK], 'faults': [dict(fault, times=2)]})
    sleeps = []
    with make_client(simulator, sleeps) as client:
        assert client.get_task_status('t1')['status'] == 'Deployed'
    assert len(sleeps) == 2 and all(0 < delay <= 30 for delay in sleeps)
    assert client.request_count == 3


def test_retry_after_is_honoured(simulator):
    simulator.load({'tasks': [TASK], 'faults': [{'status': 429, 'retry_after': 7, 'times': 1}]})
    sleeps = []
    with make_client(simulator, sleeps) as client:
        client.get_task_status('t1')
    assert sleeps == [7.0]


def test_retry_after_http_date_is_honoured(simulator):
    simulator.load({'tasks': [TASK], 'faults': [{'status': 503, 'retry_after': 'date', 'times': 1}]})
    sleeps = []
    with make_client(simulator, sleeps) as client:
        client.get_task_status('t1')
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= 3


def test_retries_run_out_with_a_clear_error(simulator):
    simulator.load({'tasks': [TASK], 'faults': [{'status': 503, 'times': None, 'message': 'Service down'}]})
    sleeps = []
    with make_client(simulator, sleeps, max_retries=2) as client:
        with pytest.raises(CdfmcRequestError) as caught:
            client.get_task_status('t1')
    assert caught.value.status == 503 and 'Service down' in str(caught.value)
    assert len(sleeps) == 2 and client.request_count == 3


@pytest.mark.parametrize('status', [403, 405, 501])
def test_other_errors_are_not_retried(simulator, status):
    simulator.load({'tasks': [TASK], 'faults': [{'status': status, 'times': None}]})
    sleeps = []
    with make_client(simulator, sleeps) as client:
        with pytest.raises(CdfmcRequestError):
            client.get_task_status('t1')
    assert sleeps == [] and client.request_count == 1


@pytest.mark.parametrize('status', [400, 422])
def test_a_task_read_refused_for_its_parameter_is_read_once_more_without_it_and_remembered(simulator, status):
    # An old on-prem FMC may refuse query parameters on taskstatuses (fireREST #47).
    simulator.load({'tasks': [TASK], 'faults': [{'status': status, 'times': 1}]})
    warnings = []
    with make_client(simulator, warn=warnings.append) as client:
        assert client.get_task_status('t1')['id'] == 't1'
        client.get_task_status('t1')
    assert [r['query'] for r in simulator.requests] == [{'showDetailedDeviceStatus': ['true']}, {}, {}]
    assert len(warnings) == 1 and 'refused showDetailedDeviceStatus on task statuses (HTTP %d)' % status in warnings[0]
    # A busy FMC's 400 is not about the parameter: it is not read again without it, nor remembered.
    simulator.load({'tasks': [TASK], 'faults': [{'status': 400, 'times': None, 'message': 'Please try again later'}]})
    with make_client(simulator, warn=warnings.append, max_retries=1) as client:
        with pytest.raises(CdfmcRequestError, match='Please try again later'):
            client.get_task_status('t1')
        assert all(r['query'] == {'showDetailedDeviceStatus': ['true']} for r in simulator.requests)
    # When the read without it is refused too, that is the error; nothing is remembered from it.
    simulator.load({'tasks': [TASK], 'faults': [{'status': 400, 'times': None, 'message': 'Invalid id'}]})
    with make_client(simulator, warn=warnings.append) as client:
        with pytest.raises(CdfmcRequestError, match='Invalid id'):
            client.get_task_status('t1')
        assert client.request_count == 2 and len(warnings) == 1


def test_post_is_not_retried_on_5xx_but_on_429(simulator):
    deploy = '/fmc_config/v1/domain/%s/deployment/deploymentrequests' % CDFMC_GLOBAL_DOMAIN_UUID
    body = {'type': 'DeploymentRequest', 'version': '1', 'deviceList': ['d1']}
    simulator.load({'devices': [{'id': 'd1'}], 'faults': [{'status': 503, 'times': 1}]})
    with make_client(simulator) as client:
        with pytest.raises(CdfmcRequestError):
            client.request('POST', deploy, json_body=body)
    assert client.request_count == 1
    simulator.load({'devices': [{'id': 'd1'}], 'faults': [{'status': 429, 'times': 1}]})
    with make_client(simulator) as client:
        answer = client.request('POST', deploy, json_body=body).body
    assert answer['metadata']['task']['taskType'] == 'DEVICE_DEPLOYMENT' and client.request_count == 2


def test_post_is_not_retried_after_a_dropped_connection(simulator):
    deploy = '/fmc_config/v1/domain/%s/deployment/deploymentrequests' % CDFMC_GLOBAL_DOMAIN_UUID
    simulator.load({'devices': [{'id': 'd1'}], 'faults': [{'action': 'drop', 'times': 1}]})
    with make_client(simulator) as client:
        with pytest.raises(CdfmcRequestError, match='closed the connection'):
            client.request('POST', deploy, json_body={'type': 'DeploymentRequest', 'deviceList': ['d1']})
    assert client.request_count == 1


def test_connection_refused_is_retried_then_reported():
    settings = connection_settings(base_url='http://127.0.0.1:9', api_token=TOKEN, max_retries=1)
    clock = FakeClock()
    sleeps = clock.sleeps
    client = CdfmcClient(settings, clock=clock)
    with pytest.raises(CdfmcRequestError, match='connection refused') as caught:
        client.get_task_status('t1')
    assert caught.value.refused and len(sleeps) == 1 and client.request_count == 2


def test_html_page_reported_with_status_and_clean_snippet(simulator):
    simulator.load({'tasks': [TASK], 'faults': [{'action': 'html', 'status': 403, 'times': 1}]})
    with make_client(simulator) as client:
        with pytest.raises(CdfmcRequestError) as caught:
            client.get_task_status('t1')
    message = str(caught.value)
    assert 'HTTP 403' in message and '502 Bad Gateway The proxy could not reach the server.' in message
    assert '<' not in message and 'color:red' not in message


def test_invalid_json_on_200_is_a_response_error(simulator):
    simulator.load({'tasks': [TASK], 'faults': [{'action': 'invalid_json', 'times': 1}]})
    with make_client(simulator) as client:
        with pytest.raises(CdfmcResponseError, match='not JSON'):
            client.get_task_status('t1')


def test_non_object_body_is_a_response_error(simulator):
    simulator.load({'tasks': [dict(TASK, raw=[1, 2])]})
    with make_client(simulator) as client:
        with pytest.raises(CdfmcResponseError, match='JSON list'):
            client.get_task_status('t1')


def test_redirect_is_not_followed(simulator):
    simulator.load({'tasks': [TASK], 'faults': [
        {'status': 302, 'headers': {'Location': 'https://elsewhere.example/login?token=abc'}, 'times': 1}]})
    with make_client(simulator) as client:
        with pytest.raises(CdfmcRequestError) as caught:
            client.get_task_status('t1')
    assert 'redirected to https://elsewhere.example/login' in str(caught.value)
    assert 'token=abc' not in str(caught.value) and len(simulator.requests) == 1


def test_untrusted_certificate_names_ca_path(simulator):
    simulator.load({'tasks': [TASK]})
    with make_client(simulator, ca_path='') as client:
        with pytest.raises(CdfmcTLSError) as caught:
            client.get_task_status('t1')
    message = str(caught.value)
    assert 'certificate' in message and 'ca_path' in message and 'validate_certs' in message
    assert simulator.requests == []


def test_validate_certs_false_connects(simulator):
    simulator.load({'tasks': [TASK]})
    with make_client(simulator, ca_path='', validate_certs=False) as client:
        assert client.get_task_status('t1')['id'] == 't1'


def test_ca_path_wins_over_environment_bundles(simulator, monkeypatch):
    # The environment points at the system bundle, which does not hold the simulator's CA.
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/etc/ssl/certs/ca-certificates.crt')
    monkeypatch.setenv('CURL_CA_BUNDLE', '/etc/ssl/certs/ca-certificates.crt')
    simulator.load({'tasks': [TASK]})
    with make_client(simulator) as client:
        assert client.get_task_status('t1')['id'] == 't1'


def test_netrc_cannot_replace_the_token(simulator, monkeypatch, tmp_path):
    netrc = tmp_path / '.netrc'
    netrc.write_text('machine 127.0.0.1 login intruder password netrc-secret\n')
    netrc.chmod(0o600)
    monkeypatch.setenv('NETRC', str(netrc))
    monkeypatch.setenv('HOME', str(tmp_path))
    simulator.load({'tasks': [TASK]})
    with make_client(simulator) as client:
        client.get_task_status('t1')
    assert simulator.requests[0]['authorized'] is True


def test_deadline_clips_retry_sleeps(clock):
    settings = connection_settings(base_url='http://127.0.0.1:9', api_token=TOKEN, max_retries=10)
    client = CdfmcClient(settings, clock=clock)
    with pytest.raises(CdfmcRequestError):
        client.get_task_status('t1', deadline=clock.deadline(1.5))
    assert sum(clock.sleeps) == pytest.approx(1.5)


def test_secrets_are_redacted_from_server_text(simulator):
    simulator.load({'tasks': [TASK], 'faults': [{'status': 400, 'times': None, 'message': 'bad token sim-token given'}]})
    with make_client(simulator) as client:
        with pytest.raises(CdfmcRequestError) as caught:
            client.get_task_status('t1')
    assert 'sim-token' not in str(caught.value) and '********' in str(caught.value)


def test_proxy_from_environment_still_applies(simulator, monkeypatch):
    for name in ('NO_PROXY', 'no_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('HTTPS_PROXY', 'http://proxy-user:proxy-pass@127.0.0.1:9')
    simulator.load({'tasks': [TASK]})
    with make_client(simulator, max_retries=0) as client:
        with pytest.raises(CdfmcRequestError) as caught:
            client.get_task_status('t1')
    assert simulator.requests == []  # it went to the (closed) proxy, not the server
    assert 'proxy-pass' not in str(caught.value)


@pytest.mark.parametrize('version,problem', [('2.32.4', False), ('2.34.2', False), ('3.0.0', False),
                                             ('2.32.3', True), ('2.31.0', True), ('1.2', True)])
def test_requests_minimum_version(version, problem):
    from ansible_collections.cisco.cdfmc.plugins.module_utils._transport import requests_version_problem
    assert bool(requests_version_problem(version)) is problem


@pytest.mark.parametrize('fault,said', [
    ({'action': 'trickle', 'delay': 0.2}, r'the response did not complete within 1\.0s'),  # the body alone: ~20 s
    ({'action': 'trickle_head', 'delay': 0.05}, r'no answer within 1\.0s'),  # the headers alone: ~25 s
])
def test_an_answer_that_trickles_in_is_cut_at_request_timeout(simulator, fault, said):
    simulator.load({'tasks': [TASK], 'faults': [dict(fault, times=None)]})
    with make_client(simulator, request_timeout=1, max_retries=0) as client:
        started = time.monotonic()
        with pytest.raises(CdfmcRequestError, match=said) as caught:
            client.get_task_status('t1')
        took = time.monotonic() - started
    assert caught.value.status is None
    assert took < 10


def test_every_connection_a_session_makes_can_be_cut_through_an_http_proxy_too():
    from ansible_collections.cisco.cdfmc.plugins.module_utils import _transport
    adapter = _transport._WatchedAdapter()
    for manager in (adapter.poolmanager, adapter.proxy_manager_for('http://127.0.0.1:3128')):
        pool = manager.connection_from_url('https://fmc.example.com/')
        assert issubclass(pool.ConnectionCls, _transport._Watched)


def test_a_slow_answer_is_a_timeout_and_is_retried(simulator):
    simulator.load({'tasks': [TASK], 'faults': [{'action': 'slow', 'delay': 1.5, 'times': 1}]})
    sleeps = []
    with make_client(simulator, sleeps, request_timeout=0.5) as client:
        assert client.get_task_status('t1')['id'] == 't1'
    assert len(sleeps) == 1 and client.request_count == 2


def test_post_is_not_retried_after_a_timeout(simulator):
    deploy = '/fmc_config/v1/domain/%s/deployment/deploymentrequests' % CDFMC_GLOBAL_DOMAIN_UUID
    simulator.load({'devices': [{'id': 'd1'}], 'faults': [{'action': 'slow', 'delay': 1.5, 'times': 1}]})
    with make_client(simulator, request_timeout=0.5) as client:
        with pytest.raises(CdfmcRequestError, match='no answer within'):
            client.request('POST', deploy, json_body={'type': 'DeploymentRequest', 'deviceList': ['d1']})
    assert client.request_count == 1


def test_name_mismatch_says_to_use_a_covered_host_name(certificates):
    from cdfmc_simulator.server import serve_in_thread
    # The certificate names 127.0.0.1, ::1 and localhost; 127.0.0.2 is loopback too, but not named.
    server, url = serve_in_thread(host='127.0.0.2', cert_file=certificates['cert_file'], key_file=certificates['key_file'])
    try:
        settings = connection_settings(base_url=url, api_token=TOKEN, ca_path=certificates['ca_file'])
        with CdfmcClient(settings) as client:
            with pytest.raises(CdfmcTLSError) as caught:
                client.get_task_status('t1')
    finally:
        server.shutdown()
        server.server_close()
    message = str(caught.value)
    assert 'does not cover this host name' in message and 'mismatch' in message and ')' in message


def test_stale_environment_ca_bundle_is_a_clear_error(simulator, monkeypatch):
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/nonexistent/bundle.pem')
    simulator.load({'tasks': [TASK]})
    with make_client(simulator, ca_path='', max_retries=0) as client:
        with pytest.raises(CdfmcRequestError, match='ca_path'):
            client.get_task_status('t1')


def test_plain_http_to_loopback_never_goes_through_a_proxy(plain_simulator, monkeypatch):
    monkeypatch.setenv('HTTP_PROXY', 'http://127.0.0.1:9')
    monkeypatch.setenv('ALL_PROXY', 'http://127.0.0.1:9')
    for name in ('NO_PROXY', 'no_proxy'):
        monkeypatch.delenv(name, raising=False)
    plain_simulator.load({'tasks': [TASK]})
    with make_client(plain_simulator, max_retries=0) as client:
        assert client.get_task_status('t1')['id'] == 't1'
    assert plain_simulator.requests[0]['authorized']


def test_unresolvable_host_is_named(monkeypatch):
    settings = connection_settings(base_url='https://no-such-host.invalid', api_token=TOKEN, max_retries=0)
    with CdfmcClient(settings) as client:
        with pytest.raises(CdfmcRequestError, match='could not resolve the host name no-such-host.invalid'):
            client.get_task_status('t1')


@pytest.mark.parametrize('depth', [65, 900, 200000])  # 200000: deeper than the JSON decoder goes
def test_deeply_nested_json_is_a_clear_error(simulator, depth):
    deep = '[' * depth + ']' * depth
    simulator.load({'tasks': [TASK], 'faults': [{'action': 'raw', 'body': deep, 'times': 1},
                                                {'action': 'raw', 'status': 500, 'body': deep, 'times': 1}]})
    with make_client(simulator, max_retries=0) as client:
        with pytest.raises(CdfmcResponseError, match='HTTP 200 with JSON nested deeper than 64 levels'):
            client.get_task_status('t1')
        with pytest.raises(CdfmcRequestError, match='HTTP 500') as caught:
            client.get_task_status('t1')
        assert caught.value.status == 500
    simulator.load({'tasks': [TASK], 'faults': [{'action': 'raw', 'body': '{"id": "t1", "status": "Running", '
                                                 '"x": %s}' % ('[' * 62 + ']' * 62), 'times': 1}]})
    with make_client(simulator, max_retries=0) as client:
        assert client.get_task_status('t1')['status'] == 'Running'


def test_empty_200_body_is_named(simulator):
    simulator.load({'tasks': [TASK], 'faults': [{'action': 'empty'}]})
    with make_client(simulator) as client:
        with pytest.raises(CdfmcResponseError, match='an empty body'):
            client.get_task_status('t1')


def test_retry_after_longer_than_the_time_left_is_clipped_to_the_deadline(simulator):
    simulator.load({'tasks': [TASK], 'faults': [{'status': 429, 'retry_after': 100, 'times': None}]})
    clock = FakeClock()
    settings = connection_settings(base_url=simulator.url, api_token=TOKEN, ca_path=simulator.ca_file)
    with CdfmcClient(settings, clock=clock) as client:
        with pytest.raises(CdfmcRequestError, match='HTTP 429'):
            client.get_task_status('t1', deadline=clock.deadline(2.0))
    assert clock.sleeps == [2.0] and client.request_count == 1


def test_server_text_in_errors_is_escaped_and_cut(simulator):
    payload = '\x1b[2JDeploy failed\r\nTASK [fake] ***\nok: [localhost]\u202e' + 'x' * 2000
    simulator.load({'tasks': [TASK], 'faults': [{'status': 403, 'message': payload, 'times': 1}]})
    with make_client(simulator) as client:
        with pytest.raises(CdfmcRequestError) as caught:
            client.get_task_status('t1')
    message = str(caught.value)
    assert '\x1b' not in message and '\n' not in message and '\r' not in message and '\u202e' not in message
    assert '\\x1b[2JDeploy failed\\r\\nTASK [fake] ***\\nok: [localhost]\\u202e' in message
    assert '[cut: 2051 characters in all]' in message and len(message) < 800


def test_a_body_that_is_not_json_is_shown_escaped(simulator):
    simulator.load({'tasks': [TASK], 'faults': [{'action': 'raw', 'status': 200, 'content_type': 'text/plain',
                                                 'body': 'Proxy \x1b]0;owned\x07 error\u2028page', 'times': 1}]})
    with make_client(simulator, max_retries=0) as client:
        with pytest.raises(CdfmcResponseError) as caught:
            client.get_task_status('t1')
    assert 'not JSON: Proxy \\x1b]0;owned\\x07 error page' in str(caught.value)  # U+2028 is white space there


class PagedList:
    """An FMC list served page by page as the offset and limit ask (``count``: what paging says)."""

    def __init__(self, entries, count=None):
        self.entries, self.count, self.offsets = entries, len(entries) if count is None else count, []

    def request(self, method, api_path, params=None, deadline=None):
        from ansible_collections.cisco.cdfmc.plugins.module_utils._transport import Response
        offset, limit = params['offset'], params['limit']
        self.offsets.append(offset)
        page = self.entries[offset:offset + limit] if self.entries else [{'id': str(offset + n)} for n in range(limit)]
        return Response(method, api_path, 200, {}, {'items': page, 'paging': {'count': self.count}})


def test_paging_counts_every_entry_the_server_sent_and_refuses_a_list_without_end(simulator, monkeypatch):
    from ansible_collections.cisco.cdfmc.plugins.module_utils import _client
    monkeypatch.setattr(_client, 'PAGE_SIZE', 3)
    monkeypatch.setattr(_client, 'MAX_PAGES', 4)
    with make_client(simulator) as client:
        paged = PagedList([{'id': '1'}, 'junk', {'id': '2'}, {'id': '3'}, {'id': '4'}])
        client.request = paged.request
        assert [item['id'] for item in client.all_items('/x')] == ['1', '2', '3', '4']  # none twice, none lost
        assert paged.offsets == [0, 3]
        client.request = PagedList([], count=10 ** 6).request
        with pytest.raises(CdfmcResponseError, match='more than 12 items; not read in part'):
            client.all_items('/x')


@pytest.mark.parametrize('count', ['5', ' 5 ', 5])
def test_paging_counts_given_as_text_still_walk_every_page(simulator, monkeypatch, count):
    # cdFMC's own examples send paging counts as strings.
    from ansible_collections.cisco.cdfmc.plugins.module_utils import _client
    monkeypatch.setattr(_client, 'PAGE_SIZE', 1)
    with make_client(simulator) as client:
        paged = PagedList([{'id': str(n)} for n in range(5)], count=count)
        client.request = paged.request
        assert [item['id'] for item in client.all_items('/x')] == ['0', '1', '2', '3', '4']
        assert paged.offsets == [0, 1, 2, 3, 4]


@pytest.mark.parametrize('fault,expected', [
    # FMC's own text ends in a stop: ours starts a new sentence, with no stray punctuation.
    ({'status': 401, 'message': 'Invalid or expired access token.'},
     'Invalid or expired access token. Check api_token (or CDFMC_API_TOKEN)'),
    ({'status': 401, 'message': 'Token invalid'}, 'Token invalid; check api_token (or CDFMC_API_TOKEN)'),
])
def test_advice_follows_the_server_s_words_without_stray_punctuation(simulator, fault, expected):
    simulator.load({'tasks': [TASK], 'faults': [dict(fault, times=None)]})
    with make_client(simulator, max_retries=0) as client:
        with pytest.raises(CdfmcRequestError) as caught:
            client.get_task_status('t1')
    assert str(caught.value).endswith(expected) and '.;' not in str(caught.value)


def test_a_404_names_the_url_tried_and_a_path_in_base_url_the_server_may_not_have(simulator):
    with make_client(simulator, base_url=simulator.url + '/fmc', max_retries=0) as client:
        with pytest.raises(CdfmcRequestError) as caught:
            client.get_task_status('t1')
    message = str(caught.value)
    assert 'Task t1 not found. The URL tried was %s/fmc/v1/cdfmc/api/fmc_config/' % simulator.url in message
    assert "check that base_url is the server's address, without a path it does not serve" in message
    with make_client(simulator, max_retries=0) as client:  # a gateway's base_url ends in /firewall: no such advice
        with pytest.raises(CdfmcRequestError) as caught:
            client.get_task_status('nope')
    assert 'check the task id and domain_uuid' in str(caught.value) and 'without a path' not in str(caught.value)


def test_a_server_that_never_answered_says_so_after_its_retries_with_a_line_per_retry(closed_port):
    from ansible_collections.cisco.cdfmc.plugins.module_utils._retry import polled_again
    port = closed_port
    notices = []
    settings = connection_settings(base_url='https://127.0.0.1:%d' % port, api_token=TOKEN, max_retries=2)
    client = CdfmcClient(settings, notice=notices.append, clock=FakeClock())
    with client, pytest.raises(CdfmcRequestError) as caught:
        client.get_task_status('t1')
    message = str(caught.value)
    assert 'connection refused' in message and caught.value.never_answered and not polled_again(caught.value)
    assert 'https://127.0.0.1:%d has not answered once in this run (host 127.0.0.1, port %d): check base_url' % (
        port, port) in message
    assert len(notices) == 2 and client.request_count == 3
    assert re.match(r'\Acisco\.cdfmc: https://127\.0\.0\.1:%d: connection refused; trying again in \d+ s; gives up at '
                    r'\d\d:\d\d:\d\d if it never answers\Z' % port, notices[0]), notices


def test_once_the_server_has_answered_an_outage_is_ridden_through(simulator):
    from ansible_collections.cisco.cdfmc.plugins.module_utils._retry import polled_again
    simulator.load({'tasks': [TASK]})
    notices = []
    with make_client(simulator, max_retries=1) as client:
        client.transport._notice = notices.append
        client.get_task_status('t1')
        simulator.load({'tasks': [TASK], 'faults': [{'action': 'drop', 'times': None}]})
        with pytest.raises(CdfmcRequestError) as caught:
            client.get_task_status('t1')
    assert not getattr(caught.value, 'never_answered', False) and polled_again(caught.value)
    assert 'has not answered' not in str(caught.value) and notices == []


def test_plain_http_to_a_port_that_speaks_tls_says_to_use_https_at_once(simulator):
    from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcTLSError
    plain = simulator.url.replace('https://', 'http://') + '/firewall'
    sleeps = []
    with make_client(simulator, sleeps, base_url=plain) as client:
        with pytest.raises(CdfmcTLSError) as caught:
            client.get_task_status('t1')
    port = int(simulator.url.rsplit(':', 1)[1])
    assert 'the port answers TLS, not plain HTTP: set base_url to https://127.0.0.1:%d/firewall' % port in str(
        caught.value)
    assert sleeps == [] and client.request_count == 1 and caught.value.never_answered


def test_once_one_request_found_the_server_unreachable_the_others_fail_at_once(closed_port):
    port = closed_port
    settings = connection_settings(base_url='https://127.0.0.1:%d' % port, api_token=TOKEN, max_retries=2)
    with CdfmcClient(settings, clock=FakeClock()) as client:
        with pytest.raises(CdfmcRequestError):
            client.get_task_status('t1')
        with pytest.raises(CdfmcRequestError) as caught:
            client.get_task_status('t2')
    assert client.request_count == 3 and caught.value.never_answered and not caught.value.sent
    assert 'taskstatuses/t2 on https://127.0.0.1:%d: not sent: https://127.0.0.1:%d has not answered once' % (
        port, port) in str(caught.value)


def test_a_certificate_that_cannot_be_verified_or_a_slow_read_is_not_a_server_never_reached(simulator):
    from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcTLSError
    simulator.load({'tasks': [TASK]})
    with make_client(simulator, ca_path=None, max_retries=0) as client:  # the simulator's CA is not trusted
        with pytest.raises(CdfmcTLSError) as caught:
            client.get_task_status('t1')
    assert not getattr(caught.value, 'never_answered', False) and 'has not answered' not in str(caught.value)
    simulator.load({'tasks': [TASK], 'faults': [{'action': 'slow', 'delay': 3, 'times': None}]})
    with make_client(simulator, request_timeout=0.5, max_retries=0) as client:
        with pytest.raises(CdfmcRequestError) as caught:
            client.get_task_status('t1')
    assert 'no answer within' in str(caught.value) and not getattr(caught.value, 'never_answered', False)


@pytest.mark.parametrize('fault', [{'action': 'drop'}, {'status': 503}, {'status': 429, 'retry_after': 1}])
def test_an_interrupted_run_never_retries(simulator, fault):
    # Once the run is stopping, a request that failed is not tried again: not after its pause (which the stop cuts
    # short), and never back to back.
    simulator.load({'tasks': [TASK], 'faults': [dict(fault, times=None)]})
    with make_client(simulator, max_retries=5) as client:
        stop = threading.Event()
        stop.set()
        with pytest.raises(CdfmcRequestError):
            client.get_task_status('t1', deadline=client.clock.deadline(60, stop=stop))
        assert client.request_count == 1 and client.clock.sleeps == []
    # Stopped during the pause before the first retry: no second request either. (A new client: after a dropped
    # connection, the first one takes the server for never reached, and sends nothing more.)
    with make_client(simulator, max_retries=5) as client:
        stop = threading.Event()
        sleep = client.clock.sleep
        client.clock.sleep = lambda seconds, stopping: stop.set() or sleep(seconds, stopping)
        with pytest.raises(CdfmcRequestError):
            client.get_task_status('t1', deadline=client.clock.deadline(60, stop=stop))
        assert client.request_count == 1


def test_an_interrupted_run_never_retries_a_server_that_never_answered(closed_port):
    settings = connection_settings(base_url='https://127.0.0.1:%d' % closed_port, api_token=TOKEN, max_retries=5)
    stop = threading.Event()
    stop.set()
    clock = FakeClock()
    with CdfmcClient(settings, clock=clock) as client:
        with pytest.raises(CdfmcRequestError, match='connection refused'):
            client.get_task_status('t1', deadline=clock.deadline(60, stop=stop))
    assert client.request_count == 1 and clock.sleeps == []
