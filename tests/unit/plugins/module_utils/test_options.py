# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The option adapter: every entry point reads its options this one way."""

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils._connection_spec import (
    CDFMC_GLOBAL_DOMAIN_UUID,
    connection_argument_spec,
)
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError
from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import task_facts_argument_spec
from ansible_collections.cisco.cdfmc.plugins.module_utils._options import OptionAdapter, drop_empty

TOKEN = 'tok-123.abc'


@pytest.fixture(autouse=True)
def no_cdfmc_environment(monkeypatch):
    import os
    for name in list(os.environ):
        if name.startswith('CDFMC_'):
            monkeypatch.delenv(name)


def spec():
    result = connection_argument_spec()
    result.update(task_facts_argument_spec())
    return result


def adapter(**arguments):
    return OptionAdapter.from_arguments(arguments, spec())


def test_empty_strings_count_as_unset():
    options = adapter(base_url='https://fmc.example.com', api_token=TOKEN, region='', domain_uuid='', api_prefix='',
                      ca_path='', validate_certs='', request_timeout='', max_retries='')
    settings = options.connection()
    assert settings.domain_uuid == CDFMC_GLOBAL_DOMAIN_UUID and settings.api_prefix == '/api' and settings.verify is True
    assert settings.request_timeout == 30.0 and settings.max_retries == 5


def test_empty_values_take_the_environment_then_the_default(monkeypatch):
    monkeypatch.setenv('CDFMC_BASE_URL', 'https://env.example.com')
    monkeypatch.setenv('CDFMC_VALIDATE_CERTS', 'false')
    monkeypatch.setenv('CDFMC_DOMAIN_UUID', '')
    options = adapter(base_url='', validate_certs='', domain_uuid='', request_timeout='', api_token=TOKEN)
    assert options['base_url'] == 'https://env.example.com' and options['validate_certs'] is False
    assert options['domain_uuid'] is None and options['request_timeout'] == 30.0


def test_an_unchecked_awx_skip_tls_box_leaves_verification_on(monkeypatch):
    # AWX injects "" for an empty input: ansible's own bool conversion would read "" as false.
    monkeypatch.setenv('CDFMC_VALIDATE_CERTS', '')
    options = adapter(base_url='https://fmc.example.com', api_token=TOKEN)
    assert options['validate_certs'] is True and options.connection().verify is True


def test_drop_empty_keeps_the_names_asked_for():
    assert drop_empty({'a': '', 'b': 0, 'c': None, 'task_ids': ''}, keep=('task_ids',)) == {
        'b': 0, 'c': None, 'task_ids': ''}


def test_a_failed_validation_shows_no_secret(monkeypatch):
    monkeypatch.setenv('CDFMC_PASSWORD', 'Env-Passw0rd')
    with pytest.raises(CdfmcOptionError) as caught:
        adapter(base_url='https://fmc.example.com', api_token='Secret-T0ken', region='Secret-T0ken Env-Passw0rd')
    message = str(caught.value)
    assert message.startswith('value of region must be one of')
    assert 'Secret-T0ken' not in message and 'Env-Passw0rd' not in message and '********' in message


def test_masked_covers_options_environment_and_url_credentials(monkeypatch):
    monkeypatch.setenv('CDFMC_API_TOKEN', 'Env-T0ken')
    options = adapter(base_url='https://fmc.example.com', password='Pw-1', username='u')
    text = options.masked('Pw-1 Env-T0ken https://user:p/a@ss@proxy.example.com:3128 done')
    assert text == '******** ******** https://********@proxy.example.com:3128 done'


def test_the_budget_urls_password_is_masked_alone_and_in_the_url(monkeypatch):
    monkeypatch.setenv('CDFMC_BUDGET_URL', 'rediss://job:Env-Redis-Pw@redis.example.com:6380/0')
    options = adapter(base_url='https://fmc.example.com', api_token=TOKEN, budget_url='redis://:Task-Redis-Pw@r:1')
    text = options.masked('WRONGPASS Task-Redis-Pw Env-Redis-Pw redis://:Task-Redis-Pw@r:1 rediss://x:Env-Redis-Pw@h')
    assert 'Redis-Pw' not in text and text.startswith('WRONGPASS ******** ********')
    assert options.invocation()['module_args']['budget_url'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    encoded = adapter(base_url='https://fmc.example.com', api_token=TOKEN, budget_url='redis://u:p%40ss-W0rd@r:1')
    assert encoded.masked('WRONGPASS p@ss-W0rd p%40ss-W0rd') == 'WRONGPASS ******** ********'


def test_invocation_masks_secrets_and_base_url_credentials():
    options = OptionAdapter.from_arguments({'base_url': 'https://u:pw@fmc.example.com', 'api_token': TOKEN}, spec())
    module_args = options.invocation()['module_args']
    assert module_args['api_token'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert module_args['base_url'] == 'https://********@fmc.example.com'
    with pytest.raises(CdfmcOptionError, match='must not contain credentials'):
        options.connection()


def test_given_tells_an_option_given_from_a_default():
    options = adapter(base_url='https://fmc.example.com', api_token=TOKEN, request_timeout=10)
    assert options.given('request_timeout') and not options.given('max_retries') and options['max_retries'] == 5


class FakeTemplar:
    def template(self, value):
        return value.replace('{{ region }}', 'eu') if isinstance(value, str) else value


def test_a_lookup_reads_keywords_then_variables_then_the_environment(monkeypatch):
    monkeypatch.setenv('CDFMC_API_TOKEN', TOKEN)
    monkeypatch.setenv('CDFMC_REQUEST_TIMEOUT', '99')  # not an option with an environment variable
    variables = {'cdfmc_region': '{{ region }}', 'cdfmc_domain_uuid': '', 'cdfmc_ca_path': '/nope', 'other': 1}
    options = OptionAdapter.from_lookup({'ca_path': '', 'include_raw': False}, variables, FakeTemplar(), spec())
    assert options['region'] == 'eu' and options['api_token'] == TOKEN and options['include_raw'] is False
    assert options['domain_uuid'] is None and options['ca_path'] == '/nope' and options['request_timeout'] == 30.0
    options = OptionAdapter.from_lookup({'region': 'us'}, variables, FakeTemplar(), spec())
    assert options['region'] == 'us'


def test_an_unknown_option_is_named_as_ansible_core_names_it():
    with pytest.raises(CdfmcOptionError, match=r'Unsupported parameters for \(cisco.cdfmc.x\) module: colour'):
        OptionAdapter.from_arguments({'colour': 'red', 'api_token': TOKEN}, spec(), name='cisco.cdfmc.x')
