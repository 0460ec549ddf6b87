# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cisco's API description as a contract that the simulator's answers are held to.

The rules: types are checked, ``required`` is not; enums are open (a value outside one passes, its type is
still checked); a numeric string passes where ``integer`` or ``number`` is declared, and "true" or "false"
(any case) where ``boolean`` is; Cisco's example wins over Cisco's schema. Every difference from Cisco's
schema beyond these rules is an entry of ``schemas/deviations.yml``, applied to the schema before it is
compiled. The schema (``schemas/fmc_api.json``) is made from Cisco's files by ``schemas/make_fmc_api.py``.
"""

import copy
import json
import os
import re
from urllib.parse import urlencode

import yaml
from jsonschema import ValidationError, validators

HERE = os.path.dirname(os.path.abspath(__file__))
API_FILE = os.path.join(HERE, 'schemas', 'fmc_api.json')
DEVIATIONS_FILE = os.path.join(HERE, 'schemas', 'deviations.yml')
# What comes before Cisco's paths: /api (FMC, a cdFMC tenant host) or [/gateway]/v1/cdfmc/api (cdFMC gateway).
_PREFIX = re.compile(r'\A(?:(?:/[^/]+)*?/v1/cdfmc)?/api(?=/)')
_INTEGER = re.compile(r'\A[+-]?[0-9]+\Z')
_NUMBER = re.compile(r'\A[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z')


def _is_type(validator, instance, name):
    """Whether ``instance`` is of JSON type ``name``, numeric and boolean strings counting as FMC sends them."""
    if validator.is_type(instance, name):
        return True
    if isinstance(instance, str) and name in ('integer', 'number'):
        return bool((_INTEGER if name == 'integer' else _NUMBER).match(instance))
    return isinstance(instance, str) and name == 'boolean' and instance.lower() in ('true', 'false')


def _type(validator, types, instance, schema):
    types = types if isinstance(types, list) else [types]
    if not any(_is_type(validator, instance, name) for name in types):
        yield ValidationError('%s is not of type %s' % (json.dumps(instance)[:80], ' or '.join(types)))


def _ignored(validator, value, instance, schema):
    # Open enums and no required fields: the contract's rules, not a gap.
    return iter(())


LooseValidator = validators.extend(validators.Draft202012Validator,
                                   {'type': _type, 'enum': _ignored, 'required': _ignored})


def _pointer(document, pointer):
    node = document
    for part in pointer.lstrip('/').split('/'):
        node = node[part.replace('~1', '/').replace('~0', '~')]
    return node


def apply_deviations(api, deviations):
    """A copy of ``api`` in which the schema at each deviation's ``field`` is replaced by what it ``accepted``.

    Raises ValueError when a deviation no longer finds there what it says Cisco's schema holds.
    """
    api = copy.deepcopy(api)
    for deviation in deviations:
        node = _pointer(api, deviation['field'])
        if node != deviation['cisco_says']:
            raise ValueError('deviation %s: Cisco\'s schema there is now %s, not %s'
                             % (deviation['field'], json.dumps(node), json.dumps(deviation['cisco_says'])))
        node.clear()
        node.update(copy.deepcopy(deviation['accepted']))
    return api


def _where(defs):
    """id of each sub-schema of ``defs`` -> its JSON pointer, to name the field a problem is about."""
    found, todo = {}, [('/$defs/' + name, schema) for name, schema in defs.items()]
    while todo:
        pointer, schema = todo.pop()
        found[id(schema)] = pointer
        for name, field in schema.get('properties', {}).items():
            todo.append(('%s/properties/%s' % (pointer, name), field))
        if isinstance(schema.get('items'), dict):
            todo.append((pointer + '/items', schema['items']))
    return found


class Operation:
    """One operation of one path template, with its answers' and request's validators."""

    def __init__(self, template, method, described, root):
        self.method = method.upper()
        self.operation_id = described['operationId']
        self.query = frozenset(described['query'])
        self.pattern = re.compile('\\A%s\\Z' % re.sub(r'\\\{[^/]+?\\\}', '[^/]+', re.escape(template)))
        self.responses = dict((code, LooseValidator(dict(root, **schema)))
                              for code, schema in described['responses'].items())
        self.request = LooseValidator(dict(root, **described['request'])) if 'request' in described else None


class Contract:
    """Cisco's paths and schemas with the deviations applied, each validator compiled once."""

    _loaded = None

    def __init__(self, api, deviations):
        api = apply_deviations(api, deviations)
        root = {'$defs': api['$defs']}
        self._where = _where(api['$defs'])
        self.operations = [Operation(template, method, described, root)
                           for template, methods in sorted(api['paths'].items())
                           for method, described in sorted(methods.items())]

    @classmethod
    def load(cls):
        """The contract of the committed files, loaded once per process."""
        if cls._loaded is None:
            with open(API_FILE) as handle:
                api = json.load(handle)
            cls._loaded = cls(api, load_deviations())
        return cls._loaded

    def operation(self, method, path):
        """The Operation that answers ``method`` on ``path`` (a request path, prefix and all), or None."""
        rest = _api_path(path)
        for operation in self.operations:
            if operation.method == method.upper() and operation.pattern.match(rest):
                return operation
        return None

    def _problems(self, validator, body):
        return ['%s at %s: %s' % (self._where.get(id(error.schema), '?'), error.json_path, error.message)
                for error in sorted(validator.iter_errors(body), key=lambda error: list(error.absolute_path))]

    def check(self, method, path, status, body, query=None):
        """What in one answer breaks the contract (with ``query``: in its request's query too); empty when
        nothing does, None when Cisco does not describe ``method`` on ``path`` (not checked)."""
        operation = self.operation(method, path)
        if operation is None:
            return None
        problems = [] if query is None else self.check_query(method, path, query)
        # An error without a schema of its own has the operation's default one.
        default = operation.responses.get('default') if int(status) >= 400 else None
        validator = operation.responses.get(str(status), default)
        if validator is None:
            return problems + ['HTTP %s: no answer documented for %s' % (status, operation.operation_id)]
        return problems + self._problems(validator, body)

    def check_query(self, method, path, query):
        """The query parameters Cisco does not document for this operation, as problems; None as ``check``."""
        operation = self.operation(method, path)
        if operation is None:
            return None
        return ['query parameter %s is not documented for %s' % (name, operation.operation_id)
                for name in sorted(query or {}) if name not in operation.query]

    def check_request(self, method, path, body):
        """What in a request body breaks the contract; None as ``check``, or when no request body is described."""
        operation = self.operation(method, path)
        if operation is None or operation.request is None:
            return None
        return self._problems(operation.request, body)

    def check_answer(self, answer):
        """What breaks the contract in one answer the simulator recorded (``method``, ``path``, ``query``,
        ``status``, ``body``): ``check`` with the query; an fmc_config path Cisco does not describe at all is
        a problem too, other paths (login, platform) are not checked."""
        problems = self.check(answer['method'], answer['path'], answer['status'], answer.get('body'),
                              answer.get('query') or {})
        if problems is not None:
            return problems
        rest = _api_path(answer['path'])
        if rest.startswith('/fmc_config/') and not any(op.pattern.match(rest) for op in self.operations):
            return ['not a path Cisco describes']
        return []

    def problems_in(self, answers):
        """One line per problem in answers the simulator recorded ("GET /path?query -> 200: problem"), passing
        by the answers a fault scripted (off the contract on purpose)."""
        return ['%s %s -> %s: %s' % (answer['method'], _request_line(answer), answer['status'], problem)
                for answer in answers if not answer.get('fault') for problem in self.check_answer(answer)]


def _api_path(path):
    """What follows the API prefix of a request path (the path itself when it has none)."""
    match = _PREFIX.match(path)
    return path[match.end():] if match else path


def _request_line(answer):
    query = answer.get('query')
    return answer['path'] + ('?' + urlencode(query, doseq=True, safe=':;,') if query else '')


def load_deviations():
    """The entries of ``schemas/deviations.yml``."""
    with open(DEVIATIONS_FILE) as handle:
        return yaml.safe_load(handle)['deviations'] or []
