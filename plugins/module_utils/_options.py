# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One way to read options, for every entry point: the module, the action plugins and the lookup.

In the spirit of community.hashi_vault's HashiVaultOptionAdapter: whatever the entry point, its options go
through here, so each rule exists once:

- an empty value counts as unset, wherever it comes from (AWX injects "" for empty inputs): it is dropped
  before ansible's type conversion, so that an empty ``CDFMC_VALIDATE_CERTS`` can never turn verification off;
- environment fallbacks (non-empty only) and defaults come from the one argument spec of ``_connection_spec.py``;
- the connection settings are checked once (``ConnectionSettings``);
- secrets (the token, the password, their environment variables) and credentials in URLs are masked in any
  message about the options, and in ``invocation``.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It does no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import UnsupportedError

from ansible_collections.cisco.cdfmc.plugins.module_utils._connection import ConnectionSettings
from ansible_collections.cisco.cdfmc.plugins.module_utils._connection_spec import CONNECTION_ARGUMENT_SPEC
from ansible_collections.cisco.cdfmc.plugins.module_utils._display import masked, url_secrets
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError
from ansible_collections.cisco.cdfmc.plugins.module_utils._query import to_plain

# The options whose value is a secret, and the environment variables they may come from.
SECRET_OPTIONS = tuple(name for name, spec in CONNECTION_ARGUMENT_SPEC.items() if spec.get('no_log'))
SECRET_VARIABLES = tuple(env for name in SECRET_OPTIONS for env in CONNECTION_ARGUMENT_SPEC[name]['fallback'][1])
# The connection options that may also come from variables (cdfmc_<name>) in a lookup, as the docs say:
# those with an environment fallback.
VARIABLE_OPTIONS = tuple(name for name, spec in CONNECTION_ARGUMENT_SPEC.items() if spec.get('fallback'))


def drop_empty(arguments, keep=()):
    """The arguments without those whose value is an empty string: they count as unset (``keep``: names whose
    emptiness is refused later with a message naming them)."""
    return dict((name, value) for name, value in (arguments or {}).items() if value != '' or name in keep)


def _from_environment(spec, value):
    """True when ``value`` is what the option's environment fallback holds."""
    fallback = spec.get('fallback') or (None, [])
    return isinstance(value, str) and any(os.environ.get(name) == value for name in fallback[1] if fallback[0])


def _environment_secrets():
    return [os.environ.get(name) for name in SECRET_VARIABLES]


def _with_url_passwords(secrets):
    """``secrets`` and the password of each that is a URL (budget_url's, which may be shown masked or alone)."""
    return [secret for value in secrets for secret in url_secrets(value)]


class OptionAdapter:
    """The checked options of one entry point: ``get(name)``, ``options[name]``, ``connection()``, ``masked()``.

    Build it with ``from_arguments`` (task arguments or lookup keywords, validated here against an argument
    spec), ``from_lookup`` (keywords and ``cdfmc_*`` variables) or ``from_module`` (an AnsibleModule, which
    validated its parameters where it runs).
    """

    def __init__(self, options, no_log_values=(), given=()):
        self.options = options
        self._no_log_values = set(no_log_values)
        self._given = frozenset(given)
        self._connection = None

    @classmethod
    def from_arguments(cls, arguments, argument_spec, keep_empty=(), name='cisco.cdfmc'):
        """Drop empty values, then validate against ``argument_spec`` (environment fallbacks, defaults, types).

        Raises CdfmcOptionError, as ansible-core's own validation words it for ``name``, with secrets masked:
        ansible-core would show the arguments, secrets included, with a failed validation.
        """
        arguments = drop_empty(to_plain(arguments), keep_empty)
        result = ArgumentSpecValidator(argument_spec).validate(arguments)
        if result.error_messages:
            message = result.errors.msg
            if isinstance(result.errors.errors[0], UnsupportedError):
                message = 'Unsupported parameters for (%s) module: %s' % (name, message)
            secrets = [arguments.get(option) for option in SECRET_OPTIONS] + _environment_secrets()
            raise CdfmcOptionError(masked(message, _with_url_passwords(secrets)))
        return cls(result.validated_parameters, result._no_log_values, given=arguments)

    @classmethod
    def from_lookup(cls, keywords, variables, templar, argument_spec):
        """A lookup's options: its keywords, then ``cdfmc_<option>`` variables, then the environment, then defaults."""
        arguments = drop_empty(keywords)
        for name in VARIABLE_OPTIONS:
            if name in arguments or 'cdfmc_%s' % name not in (variables or {}):
                continue
            # Variables reach a lookup as written: template ours (and only ours).
            value = variables['cdfmc_%s' % name]
            if templar is not None:
                value = templar.template(value)
            if value not in (None, ''):
                arguments[name] = value
        return cls.from_arguments(arguments, argument_spec, name='cisco.cdfmc.task_status')

    @classmethod
    def from_module(cls, module, keep_empty=()):
        """A module's options; empty values, which AnsibleModule keeps, count as unset here too. A value that
        AnsibleModule took from an environment variable (it holds exactly that variable's value) counts as not
        given in the task, as it does for the action plugins."""
        spec = module.argument_spec
        given = dict((name, value) for name, value in module.params.items()
                     if name in spec and value is not None and not _from_environment(spec[name], value))
        adapter = cls.from_arguments(given, module.argument_spec, keep_empty)
        adapter._no_log_values.update(module.no_log_values)
        return adapter

    def get(self, name, default=None):
        """The value of an option (None when unset)."""
        value = self.options.get(name)
        return default if value is None else value

    def __getitem__(self, name):
        return self.options[name]

    def given(self, name):
        """True when the option was given a (non-empty) value, rather than taken from a fallback or default."""
        return name in self._given

    def connection(self):
        """The checked connection settings (CdfmcOptionError names the first problem)."""
        if self._connection is None:
            self._connection = ConnectionSettings.from_options(self)
        return self._connection

    def masked(self, text):
        """``text`` with every secret of these options, of the environment and in URLs masked."""
        secrets = [self.options.get(name) for name in SECRET_OPTIONS] + _environment_secrets()
        return masked(text, _with_url_passwords(secrets + sorted(self._no_log_values)))

    def invocation(self):
        """What an action plugin reports as its ``invocation``: the options, secrets and URL credentials masked."""
        module_args = remove_values(self.options, self._no_log_values)
        if isinstance(module_args.get('base_url'), str):
            # Credentials put in base_url by mistake are refused; they must not be shown either.
            module_args['base_url'] = masked(module_args['base_url'])
        return {'module_args': module_args}
