# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWX credential types: their injectors rendered as AWX renders them, and the plugins run with the result."""

import os

import jinja2.sandbox
import pytest
import yaml

from conftest import ROOT, TOKEN

TYPES = os.path.join(ROOT, 'extensions', 'awx', 'credential_types')
PASSWORD = 'Cr3dential-P4ssw0rd'
SITE_A = '9f0c2a4e-0000-4000-8000-00000000000a'
DOMAINS = [{'name': 'Global', 'uuid': 'e276abec-e0f2-11e3-8169-6d9ed49b625f'}, {'name': 'Global/Site-A', 'uuid': SITE_A}]


def load(name):
    with open(os.path.join(TYPES, name)) as handle:
        return yaml.safe_load(handle)


def inject(credential_type, inputs, tmp_path):
    """Render the injectors like AWX: every field in the namespace ('' or False when not given), files
    written first and named in tower.filename."""
    fields = credential_type['inputs']['fields']
    namespace = dict((field['id'], inputs.get(field['id'], False if field['type'] == 'boolean' else ''))
                     for field in fields)
    environment = jinja2.sandbox.ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined)
    filenames = {}
    for key, template in credential_type['injectors'].get('file', {}).items():
        path = tmp_path / ('awx-' + key.replace('template.', ''))
        path.write_text(environment.from_string(template).render(**namespace))
        filenames[key.replace('template.', '')] = str(path)
    namespace['tower'] = {'filename': filenames}
    return dict((name, environment.from_string(template).render(**namespace))
                for name, template in credential_type['injectors']['env'].items())


def test_the_types_are_well_formed():
    for name in sorted(os.listdir(TYPES)):
        credential_type = load(name)
        fields = dict((field['id'], field) for field in credential_type['inputs']['fields'])
        assert set(credential_type['inputs']['required']) <= set(fields)
        assert all(fields[secret]['secret'] for secret in ('api_token', 'password', 'budget_url') if secret in fields)
        assert all(variable.startswith('CDFMC_') for variable in credential_type['injectors']['env'])


@pytest.mark.parametrize('inputs', ['all', 'minimal'])
def test_token_credential_drives_the_plugins(simulator, run_playbook, tmp_path, inputs):
    simulator.load({'domains': DOMAINS, 'tasks': [{'id': 't1', 'timeline': [{'at': 0, 'status': 'Success'}]}]})
    with open(simulator.ca_file) as handle:
        ca_pem = handle.read()
    given = {'base_url': simulator.url + '/firewall', 'api_token': TOKEN, 'ca_cert': ca_pem}
    if inputs == 'all':
        given.update(domain='Global/Site-A', skip_tls_verify=False)
    env = inject(load('cdfmc_api_token.yml'), given, tmp_path)
    assert env['CDFMC_REGION'] == '' and env['CDFMC_VALIDATE_CERTS'] == ''  # empty inputs arrive as ""
    run_playbook('credential.yml', env=env)
    reads = [r for r in simulator.requests() if '/taskstatuses/' in r['path']]
    assert len(reads) == 3  # the wait, the module and the lookup
    if inputs == 'all':
        assert all('/domain/%s/' % SITE_A in r['path'] for r in reads)


def test_login_credential_drives_the_plugins(simulator, run_playbook, tmp_path):
    simulator.load({'auth': {'mode': 'fmc', 'username': 'apiuser', 'password': PASSWORD}, 'domains': DOMAINS,
                    'tasks': [{'id': 't1', 'timeline': [{'at': 0, 'status': 'Success'}]}]})
    env = inject(load('fmc_login.yml'), {'base_url': simulator.url, 'username': 'apiuser', 'password': PASSWORD,
                                         'skip_tls_verify': True}, tmp_path)
    assert env['CDFMC_CA_PATH'] == '' and env['CDFMC_VALIDATE_CERTS'] == 'false'
    played = run_playbook('credential.yml', env=env)
    assert PASSWORD not in played.output


def test_an_unchecked_skip_tls_box_keeps_verification_on(simulator, run_playbook, tmp_path):
    # No CA given and "skip TLS verification" left unchecked: every plugin must still verify (and fail here).
    simulator.load({'tasks': [{'id': 't1', 'timeline': [{'at': 0, 'status': 'Success'}]}]})
    env = inject(load('cdfmc_api_token.yml'), {'base_url': simulator.url, 'api_token': TOKEN}, tmp_path)
    assert env['CDFMC_VALIDATE_CERTS'] == '' and env['CDFMC_CA_PATH'] == '' and env['CDFMC_REGION'] == ''
    run_playbook('credential_tls.yml', env=env)
    assert [r for r in simulator.requests() if '/taskstatuses/' in r['path']] == []
