# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The docs-only module must document exactly the argument spec the action plugin validates with
(ansible-test's validate-modules does not check docs-only modules); so must the lookup, its variables and
environment included; and each default is written once (the wait's settings and the role take the wait's)."""

import os

import yaml

from ansible_collections.cisco.cdfmc.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.cisco.cdfmc.plugins.doc_fragments.reports import ModuleDocFragment as ReportsFragment
from ansible_collections.cisco.cdfmc.plugins.doc_fragments.task_facts import ModuleDocFragment as TaskFactsFragment
from ansible_collections.cisco.cdfmc.plugins.lookup import task_status as task_status_lookup
from ansible_collections.cisco.cdfmc.plugins.module_utils._options import VARIABLE_OPTIONS
from ansible_collections.cisco.cdfmc.plugins.modules import cdfmc_deploy, cdfmc_rollback, cdfmc_task_status, cdfmc_task_wait
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._deploy import deploy_argument_spec
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._rollback import rollback_argument_spec
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._wait import (
    WaitSettings,
    wait_argument_spec,
    wait_timing_argument_spec,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))


def documented_options(module):
    options = dict(yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options'])
    options.update(yaml.safe_load(TaskFactsFragment.DOCUMENTATION)['options'])
    if 'cisco.cdfmc.reports' in yaml.safe_load(module.DOCUMENTATION)['extends_documentation_fragment']:
        options.update(yaml.safe_load(ReportsFragment.DOCUMENTATION)['options'])
    own = yaml.safe_load(module.DOCUMENTATION)['options']
    assert not set(own) & set(options), 'an option is documented twice'
    options.update(own)
    return options


def comparable_spec(spec):
    result = {}
    for name, option in spec.items():
        result[name] = {
            'type': option.get('type', 'str'),
            'default': option.get('default'),
            'required': option.get('required', False),
            'aliases': sorted(option.get('aliases', [])),
            'choices': sorted(option.get('choices') or []),
            'no_log': option.get('no_log', False),
        }
    return result


def comparable_docs(options):
    result = {}
    for name, option in options.items():
        default = option.get('default')
        if option.get('type') == 'float' and default is not None:
            default = float(default)
        result[name] = {
            'type': option.get('type', 'str'),
            'default': default,
            'required': option.get('required', False),
            'aliases': sorted(option.get('aliases', [])),
            'choices': sorted(option.get('choices') or []),
            # The docs do not say no_log; the options that must have it are named here.
            'no_log': name in ('api_token', 'password', 'budget_url'),
        }
    return result


def test_wait_documentation_equals_argument_spec():
    assert comparable_docs(documented_options(cdfmc_task_wait)) == comparable_spec(wait_argument_spec())


def test_deploy_documentation_equals_argument_spec():
    assert comparable_docs(documented_options(cdfmc_deploy)) == comparable_spec(deploy_argument_spec())


def test_rollback_documentation_equals_argument_spec():
    assert comparable_docs(documented_options(cdfmc_rollback)) == comparable_spec(rollback_argument_spec())


def test_status_documentation_equals_argument_spec():
    assert comparable_docs(documented_options(cdfmc_task_status)) == comparable_spec(cdfmc_task_status.argument_spec())


def test_examples_and_return_are_valid_yaml():
    for module in (cdfmc_deploy, cdfmc_rollback, cdfmc_task_status, cdfmc_task_wait):
        assert yaml.safe_load(module.EXAMPLES)
        assert yaml.safe_load(module.RETURN)


def test_the_wait_settings_default_to_what_the_docs_say():
    documented = comparable_docs(documented_options(cdfmc_task_wait))
    for name in WaitSettings.OPTIONS:
        assert WaitSettings.DEFAULTS[name] == documented[name]['default'], name


def test_the_role_times_its_wait_with_the_wait_s_own_options():
    role = os.path.join(ROOT, 'roles', 'wait_for_tasks')
    with open(os.path.join(role, 'meta', 'argument_specs.yml')) as handle:
        documented = yaml.safe_load(handle)['argument_specs']['main']['options']
    with open(os.path.join(role, 'defaults', 'main.yml')) as handle:
        defaults = yaml.safe_load(handle)
    for name, option in wait_timing_argument_spec().items():
        variable = 'wait_for_tasks_%s' % name
        if name == 'max_poll_interval':
            # Empty: the wait's default, or poll_interval when that is longer (as the action decides it).
            assert documented[variable]['default'] == defaults[variable] == ''
            continue
        kind = float if option['type'] == 'float' else (lambda value: value)
        assert documented[variable]['type'] == option['type'], name
        assert kind(documented[variable]['default']) == kind(defaults[variable]) == option['default'], name


def test_lookup_documentation_equals_argument_spec_with_its_variables_and_environment():
    documented = dict(yaml.safe_load(ModuleDocFragment.PLUGINS)['options'])
    documented.update(yaml.safe_load(TaskFactsFragment.DOCUMENTATION)['options'])
    own = yaml.safe_load(task_status_lookup.DOCUMENTATION)['options']
    assert set(own) == {'_terms'}
    spec = task_status_lookup.lookup_argument_spec()
    assert comparable_docs(documented) == comparable_spec(spec)
    for name, option in documented.items():
        # A lookup reads cdfmc_<option> variables, then the environment (OptionAdapter.from_lookup): for the options
        # with an environment fallback, as the docs say, and no others.
        fallback = spec[name].get('fallback')
        assert [entry['name'] for entry in option.get('env', [])] == (fallback[1] if fallback else []), name
        assert [entry['name'] for entry in option.get('vars', [])] == (
            ['cdfmc_%s' % name] if name in VARIABLE_OPTIONS else []), name
    assert sorted(VARIABLE_OPTIONS) == sorted(name for name, option in spec.items() if option.get('fallback'))
