# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The EDA credential type (extensions/eda/credential_types) as AAP's EDA controller checks one (eda-server's
credential type validation): injectors of the kinds it knows, fields with only the properties AAP documents, no
field or variable beginning with EDA_ (reserved), a secret for every secret option; and it sets only the
collection's own environment variables, each the fallback of a connection option, with every file it names made by
a template of its own."""

import os
import re

import yaml

from ansible_collections.cisco.cdfmc.plugins.module_utils._connection_spec import REGIONS, connection_argument_spec

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TYPE = os.path.join(ROOT, 'extensions', 'eda', 'credential_types', 'cdfmc_eda.yml')
# The properties of an input field that AAP 2.5 and 2.6 document for EDA credential types ("Input Configuration Field
# Properties"): no choices, so the values a field takes are said in its help_text.
FIELD_PROPERTIES = {'id', 'type', 'label', 'secret', 'multiline', 'help_text'}


def _load():
    with open(TYPE) as handle:
        return yaml.safe_load(handle)


def test_the_credential_type_is_what_the_eda_controller_accepts():
    data = _load()
    fields = data['inputs']['fields']
    assert set(data['injectors']) <= {'env', 'extra_vars', 'file'}
    names = [field['id'] for field in fields] + [key for kind in ('env', 'extra_vars') for key in
                                                 data['injectors'].get(kind, {})]
    assert not [name for name in names if name.upper().startswith('EDA_')]
    assert not [name for name in data['injectors'].get('extra_vars', {}) if name in ('ansible', 'eda')]
    assert all(re.match(r'^\w+$', field['id']) and field.get('label') for field in fields)
    assert set(field['id'] for field in fields if field.get('secret')) == {'api_token', 'password', 'budget_url'}
    assert not [(field['id'], set(field) - FIELD_PROPERTIES) for field in fields if set(field) - FIELD_PROPERTIES]
    assert all(field.get('type', 'string') in ('string', 'boolean') for field in fields)


def test_the_region_field_names_every_region_the_collection_knows_in_its_help():
    (region,) = [field for field in _load()['inputs']['fields'] if field['id'] == 'region']
    assert all(re.search(r'\b%s\b' % name, region['help_text']) for name in REGIONS), region['help_text']


def test_it_sets_the_collection_s_environment_variables_and_each_file_it_names():
    data = _load()
    fallbacks = set(name for option in connection_argument_spec().values()
                    for name in (option.get('fallback') or (None, []))[1])
    env = data['injectors']['env']
    assert set(env) <= fallbacks, set(env) - fallbacks
    assert {'CDFMC_API_TOKEN', 'CDFMC_PASSWORD', 'CDFMC_BASE_URL', 'CDFMC_REGION', 'CDFMC_BUDGET_URL'} <= set(env)
    templates = set(key.split('.', 1)[1] for key in data['injectors']['file'])
    named = set(re.findall(r'eda\.filename\.(\w+)', ' '.join(env.values())))
    assert named == templates
    fields = set(field['id'] for field in data['inputs']['fields'])
    assert set(re.findall(r'\{\{ (\w+) \}\}', ' '.join(list(env.values()) + list(data['injectors']['file'].values())))
               ) <= fields
