# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils._connection_spec import (
    CDFMC_GLOBAL_DOMAIN_UUID,
    connection_argument_spec,
)
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError
from ansible_collections.cisco.cdfmc.plugins.module_utils._urls import validate_task_id
from support import connection_settings

TOKEN = 'tok-123.abc'


def settings(**options):
    options.setdefault('api_token', TOKEN)
    return connection_settings(**options)


def test_region_builds_gateway_url_and_cdfmc_prefix():
    s = settings(region='eu')
    assert s.server == 'https://api.eu.security.cisco.com'
    assert s.url(s.task_status_path('abc')) == (
        'https://api.eu.security.cisco.com/firewall/v1/cdfmc/api/fmc_config/v1/domain/'
        '%s/job/taskstatuses/abc' % CDFMC_GLOBAL_DOMAIN_UUID)


@pytest.mark.parametrize('base_url,prefix,path', [
    ('https://fmc.example.com', '/api', ''),
    ('https://fmc.example.com/', '/api', ''),
    ('https://api.us.security.cisco.com/firewall', '/v1/cdfmc/api', '/firewall'),
    ('https://api.us.security.cisco.com/firewall/', '/v1/cdfmc/api', '/firewall'),
    ('HTTPS://FMC.example.com:8443', '/api', ''),
])
def test_api_prefix_auto(base_url, prefix, path):
    s = settings(base_url=base_url)
    assert (s.api_prefix, s.base_path) == (prefix, path)


@pytest.mark.parametrize('given,expected', [('api', '/api'), ('/custom/api/', '/custom/api'), ('/', '')])
def test_api_prefix_explicit(given, expected):
    assert settings(base_url='https://fmc.example.com/x', api_prefix=given).api_prefix == expected


@pytest.mark.parametrize('prefix', ['/a/../b', '/a?b', '/a#b', '/a b'])
def test_api_prefix_refused(prefix):
    with pytest.raises(CdfmcOptionError, match='api_prefix'):
        settings(base_url='https://fmc.example.com', api_prefix=prefix)


@pytest.mark.parametrize('options,message', [
    ({'base_url': 'https://a.example', 'region': 'us'}, 'mutually exclusive'),
    ({}, 'no server given'),
    ({'region': 'mars'}, 'value of region must be one of: apj, au, eu, in, us, got: mars'),
    ({'base_url': 'fmc.example.com'}, 'absolute https://'),
    ({'base_url': 'ftp://fmc.example.com'}, 'absolute https://'),
    ({'base_url': 'https://'}, 'absolute https://'),
    ({'base_url': 'http://fmc.example.com'}, 'plain http://'),
    ({'base_url': 'http://10.0.0.1'}, 'plain http://'),
    ({'base_url': 'https://fmc.example.com/?x=1'}, 'query'),
    ({'base_url': 'https://fmc.example.com/#f'}, 'query'),
    ({'base_url': 'https://fmc.example.com:99999'}, 'not a valid URL'),
    ({'base_url': 'https://fmc.example.com/a/../b'}, 'path segment'),
    ({'base_url': 'https://fmc.example.com', 'domain_uuid': '../x'}, 'domain_uuid'),
    ({'base_url': 'https://fmc.example.com', 'request_timeout': 0}, 'more than 0'),
    ({'base_url': 'https://fmc.example.com', 'request_timeout': -1}, 'more than 0'),
    ({'base_url': 'https://fmc.example.com', 'request_timeout': 'soon'},
     # Each ansible-core words it a little differently: what every one of them says.
     "argument 'request_timeout' is of type .*str.* and we were unable to convert to float"),
    ({'base_url': 'https://fmc.example.com', 'max_retries': -1}, '0 or more'),
    ({'base_url': 'https://fmc.example.com', 'max_retries': 'x'},
     "argument 'max_retries' is of type .*str.* and we were unable to convert to int"),
    ({'base_url': 'https://fmc.example.com', 'ca_path': '/nonexistent/ca.pem'}, 'does not exist'),
    ({'base_url': 'https://fmc.example.com', 'ca_path': '/etc/hostname'}, 'no PEM certificate'),
    ({'base_url': 'https://%s.example.com' % ('a' * 64)}, 'host name that is not valid'),
    ({'base_url': 'https://fmc.example.com', 'request_timeout': 1e10}, 'at most 86400'),
    ({'base_url': 'https://fmc.example.com', 'request_timeout': float('inf')}, 'at most 86400'),
    ({'base_url': 'https://fmc.example.com', 'request_timeout': float('nan')}, 'at most 86400'),
    ({'base_url': 'https://fmc.example.com', 'validate_certs': 'maybe'}, "The value 'maybe' is not a valid boolean"),
    ({'base_url': 'https://fmc.example.com', 'max_requests_per_minute': 0}, '1 or more'),
    ({'base_url': 'https://fmc.example.com', 'max_concurrent_requests': 0}, '1 or more'),
    ({'base_url': 'https://fmc.example.com', 'max_concurrent_requests': 2.5}, 'cannot be converted to an int'),
    ({'base_url': 'https://fmc.example.com', 'max_retries': True}, 'max_retries must be a whole number, got True'),
])
def test_bad_options_refused(options, message):
    with pytest.raises(CdfmcOptionError, match=message):
        settings(**options)


@pytest.mark.parametrize('options, message', [
    ({'budget_url': 'http://cdfmc:Sup3rS3cret@redis.example.com'}, 'must be a Redis URL'),
    ({'budget_url': 'redis://cdfmc:Sup3rS3cret@'}, 'must be a Redis URL'),
    ({'budget_url': 'redis://cdfmc:Sup3rS3cret@redis.example.com:99999'}, 'port that is not a number'),
    ({'budget_url': 'rediss://cdfmc:Sup3rS3cret@redis.example.com/0?ssl_cert_reqs=none'}, 'has a query'),
    ({'budget_url': 'redis://cdfmc:Sup3rS3cret@redis.example.com/0?socket_timeout=5'}, 'has a query'),
    ({'budget_url': 'redis://cdfmc:Sup3rS3cret@redis.example.com/0#x'}, 'has a query or a fragment'),
    ({'budget_url': 'redis://cdfmc:Sup3rS3cret@redis.example.com/zero'}, 'database that is not a number'),
    # A password with "/", "?" or "#" cuts the URL short: refused, masked whole, with what to do.
    ({'budget_url': 'redis://cdfmc:Sup3rS3cret/Sup3rS3cret@redis.example.com:6379/0'}, 'port .* must be percent-encoded'),
    ({'budget_url': 'redis://cdfmc:Sup3rS3cret?Sup3rS3cret@redis.example.com/0'}, 'must be percent-encoded .%2F, %3F, %23.'),
    ({'budget_url': 'redis://:Sup3rS3cret/Sup3rS3cret@redis.example.com/0'}, 'must be a Redis URL .* must be percent-encoded'),
    ({'budget_url': 'redis://cdfmc:Sup3rS3cret@redis.example.com', 'budget_ca_file': '/etc/hostname'},
     'budget_ca_file is for a budget_url that uses TLS'),
    ({'budget_ca_file': '/etc/hostname'}, 'given with no budget_url'),
    ({'budget_url': 'rediss://cdfmc:Sup3rS3cret@redis.example.com', 'budget_ca_file': '/nonexistent/ca.pem'},
     'budget_ca_file /nonexistent/ca.pem does not exist'),
    ({'budget_url': 'rediss://cdfmc:Sup3rS3cret@redis.example.com', 'budget_ca_file': '/etc/hostname'},
     'budget_ca_file /etc/hostname holds no PEM certificate'),
])
def test_bad_budget_store_refused_without_its_password(options, message):
    with pytest.raises(CdfmcOptionError, match=message) as caught:
        settings(base_url='https://fmc.example.com', **options)
    assert 'Sup3rS3cret' not in str(caught.value)


def test_a_budget_url_with_a_password_and_no_user_is_warned_of():
    bare = settings(base_url='https://fmc.example.com', api_token='t', budget_url='redis://:Bare-Pw-1@redis.example.com')
    (warning,) = bare.warnings
    assert 'no user name' in warning and 'redis://********@redis.example.com' in warning and 'Bare-Pw-1' not in warning
    named = settings(base_url='https://fmc.example.com', api_token='t', budget_url='redis://default:Pw@redis.example.com')
    assert named.warnings == []


def test_budget_store_settings(certificates):
    ca = certificates['ca_file']
    plain = settings(base_url='https://fmc.example.com', budget_url=' redis://cdfmc:pw@127.0.0.1:6380/2 ')
    assert plain.budget_url == 'redis://cdfmc:pw@127.0.0.1:6380/2' and plain.budget_ca_file is None
    secure = settings(base_url='https://fmc.example.com', budget_url='rediss://[::1]:6380', budget_ca_file=str(ca))
    assert secure.budget_ca_file == str(ca)
    assert settings(base_url='https://fmc.example.com').budget_url is None
    upper = settings(base_url='https://fmc.example.com', budget_url='REDISS://u:Pw@Redis.example.com:6380')
    assert upper.budget_url == 'rediss://u:Pw@Redis.example.com:6380'  # the scheme as redis-py reads it


def test_credentials_in_url_refused_without_echoing_them():
    with pytest.raises(CdfmcOptionError) as caught:
        settings(base_url='https://admin:Sup3rS3cret@fmc.example.com')
    assert 'credentials' in str(caught.value) and 'Sup3rS3cret' not in str(caught.value)


def test_missing_token_refused():
    with pytest.raises(CdfmcOptionError, match='api_token'):
        connection_settings(base_url='https://fmc.example.com', api_token='')


def test_token_with_newline_refused_without_echo():
    with pytest.raises(CdfmcOptionError) as caught:
        settings(base_url='https://fmc.example.com', api_token='abc\r\nX-Evil: 1')
    assert 'abc' not in str(caught.value)


@pytest.mark.parametrize('host', ['http://127.0.0.1:8080', 'http://localhost', 'http://[::1]:9', 'http://127.5.5.5'])
def test_plain_http_allowed_to_loopback(host):
    assert settings(base_url=host).scheme == 'http'


def test_verify_prefers_ca_path(certificates):
    ca = certificates['ca_file']
    assert settings(base_url='https://fmc.example.com', ca_path=str(ca)).verify == str(ca)
    assert settings(base_url='https://fmc.example.com', ca_path='/etc/ssl/certs').verify == '/etc/ssl/certs'
    assert settings(base_url='https://fmc.example.com', ca_path=str(ca), validate_certs=False).verify is False
    assert settings(base_url='https://fmc.example.com', validate_certs='no').verify is False


def test_repr_has_no_token():
    s = settings(base_url='https://fmc.example.com')
    assert TOKEN not in repr(s) and 'fmc.example.com' in repr(s)


@pytest.mark.parametrize('task_id', ['abc', 'A', '8589934593', 'a.b_c-d', 'x' * 128, 'a..'])
def test_task_id_accepted(task_id):
    assert validate_task_id(task_id) == task_id


@pytest.mark.parametrize('task_id', ['', '.', '..', '../../x', 'a/b', 'a?b', 'a#b', 'a b', ' a', 'a\x00',
                                     '-a', '_a', 'x' * 129, 'x' * 10000, 'é', None, 12])
def test_task_id_refused(task_id):
    with pytest.raises(CdfmcOptionError) as caught:
        validate_task_id(task_id)
    assert len(str(caught.value)) < 300


def test_path_stays_inside_task_statuses():
    s = settings(base_url='https://fmc.example.com', domain_uuid='d-1')
    assert s.path(s.task_status_path('t.1')) == '/api/fmc_config/v1/domain/d-1/job/taskstatuses/t.1'


def test_spec_env_fallback_ignores_empty(monkeypatch):
    from ansible.module_utils.errors import AnsibleFallbackNotFound
    fallback, names = connection_argument_spec()['api_token']['fallback']
    monkeypatch.setenv('CDFMC_API_TOKEN', '')
    with pytest.raises(AnsibleFallbackNotFound):
        fallback(*names)
    monkeypatch.setenv('CDFMC_API_TOKEN', 'x')
    assert fallback(*names) == 'x'


@pytest.mark.parametrize('base_url,without,use', [
    ('https://fmc.example.com/api', '/api', 'https://fmc.example.com,'),
    ('https://fmc.example.com/API/', '/api', 'https://fmc.example.com,'),
    ('https://api.us.security.cisco.com/firewall/api', '/api', 'https://api.us.security.cisco.com/firewall,'),
    ('https://api.us.security.cisco.com/firewall/v1/cdfmc/api', '/v1/cdfmc/api',
     'https://api.us.security.cisco.com/firewall,'),
])
def test_api_in_base_url_is_refused_naming_the_address_to_use(base_url, without, use):
    with pytest.raises(CdfmcOptionError) as caught:
        settings(base_url=base_url)
    assert "base_url is the server's address without %s: use %s not %s (" % (without, use, base_url) in str(
        caught.value)
    # Where the API really is under such a path, api_prefix says so.
    assert settings(base_url=base_url, api_prefix='/api').path('/x').endswith('/api/x')


@pytest.mark.parametrize('environment,arguments,message', [
    ({'CDFMC_BASE_URL': 'https://fmc.example.com'}, {'region': 'us'},
     'region is set in the task and base_url comes from the environment variable CDFMC_BASE_URL (as an AWX credential '
     'sets it); drop region from the task to use base_url, or unset CDFMC_BASE_URL'),
    ({'CDFMC_REGION': 'eu'}, {'base_url': 'https://fmc.example.com'},
     'base_url is set in the task and region comes from the environment variable CDFMC_REGION'),
    ({'CDFMC_REGION': 'eu', 'CDFMC_BASE_URL': 'https://fmc.example.com'}, {},
     'both come from the environment (CDFMC_BASE_URL and CDFMC_REGION); unset one'),
    ({}, {'region': 'us', 'base_url': 'https://fmc.example.com'}, 'both are set in the task; give only one of them'),
    ({'CDFMC_DOMAIN': 'Global/Site-A'}, {'base_url': 'https://fmc.example.com', 'domain_uuid': 'abc'},
     'domain_uuid is set in the task and domain comes from the environment variable CDFMC_DOMAIN'),
])
def test_options_that_exclude_each_other_say_where_each_came_from(monkeypatch, environment, arguments, message):
    from ansible_collections.cisco.cdfmc.plugins.module_utils._connection_spec import connection_argument_spec
    from ansible_collections.cisco.cdfmc.plugins.module_utils._options import OptionAdapter
    for name in ('CDFMC_BASE_URL', 'CDFMC_REGION', 'CDFMC_DOMAIN', 'CDFMC_DOMAIN_UUID'):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(CdfmcOptionError) as caught:
        OptionAdapter.from_arguments(dict(arguments, api_token='t'), connection_argument_spec()).connection()
    assert message in str(caught.value)
