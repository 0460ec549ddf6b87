# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The docs-only module must document exactly the argument spec the action plugin validates with
(ansible-test's validate-modules does not check docs-only modules)."""

import yaml

from ansible_collections.cisco.cdfmc.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.cisco.cdfmc.plugins.doc_fragments.task_facts import ModuleDocFragment as TaskFactsFragment
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._wait import wait_argument_spec
from ansible_collections.cisco.cdfmc.plugins.modules import cdfmc_deploy, cdfmc_task_status, cdfmc_task_wait
from ansible_collections.cisco.cdfmc.plugins.plugin_utils._deploy import deploy_argument_spec


def documented_options(module):
    options = dict(yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options'])
    options.update(yaml.safe_load(TaskFactsFragment.DOCUMENTATION)['options'])
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
            'no_log': name in ('api_token', 'password'),
        }
    return result


def test_wait_documentation_equals_argument_spec():
    assert comparable_docs(documented_options(cdfmc_task_wait)) == comparable_spec(wait_argument_spec())


def test_deploy_documentation_equals_argument_spec():
    assert comparable_docs(documented_options(cdfmc_deploy)) == comparable_spec(deploy_argument_spec())


def test_status_documentation_equals_argument_spec():
    assert comparable_docs(documented_options(cdfmc_task_status)) == comparable_spec(cdfmc_task_status.argument_spec())


def test_examples_and_return_are_valid_yaml():
    for module in (cdfmc_deploy, cdfmc_task_status, cdfmc_task_wait):
        assert yaml.safe_load(module.EXAMPLES)
        assert yaml.safe_load(module.RETURN)
