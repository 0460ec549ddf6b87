# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The API description the simulator serves where FMC serves its own (``GET /api/api-explorer/fmc.json``).

Cisco's clients read it at start-up: cisco.fmcansible builds its table of operations from it. It is Swagger 2.0,
as FMC's is, made from the project's own copy of the facts of Cisco's description (``schemas/fmc_api.json``):
only the operations the simulator answers, their paths under ``/api``, operation ids, parameters with their
types, and the definitions they reach. No prose of Cisco's is in it; the few descriptions Swagger requires are
ours.
"""

import functools
import json
import os
import re

API_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'schemas', 'fmc_api.json')
# Where FMC serves its description, after the /api prefix.
PATH = '/api-explorer/fmc.json'

# The operations of fmc_api.json that the simulator answers (its tests check that it answers each, and no other).
SIMULATED = frozenset((
    'getAllDevice', 'getAllFTDHADeviceContainer', 'getAllFTDClusterDeviceContainer', 'getDeployableDevice',
    'getPendingChanges', 'createDeploymentRequest', 'createRollbackRequest', 'getJobHistory', 'getTaskStatus',
))
# The domain list is simulated too, but Cisco's slice leaves it out: described here in fmc_api.json's form, under
# the operation id Cisco's clients call it by, answered as Cisco's other lists are (items, links, paging).
DOMAIN_LIST = ('/fmc_platform/v1/info/domain', 'get', {
    'operationId': 'getAllDomain',
    'query': {'expanded': 'boolean', 'limit': 'integer', 'offset': 'integer'},
    'responses': {
        '200': {'type': 'object', 'properties': {
            'items': {'type': 'array', 'items': {'$ref': '#/$defs/Domain'}},
            'links': {'$ref': '#/$defs/ILinks'}, 'paging': {'$ref': '#/$defs/PagingContainer'}}},
        'default': {'$ref': '#/$defs/ErrorResponse'},
    },
})
# Swagger requires a description of each answer: ours, by status.
ANSWER_DESCRIPTIONS = {
    '200': 'What was asked for.',
    '201': 'Created as asked.',
    '202': 'Taken on: metadata.task names the task that carries it out.',
    'default': 'Refused, with an FMC error body.',
}


def swagger_schema(schema):
    """A schema of fmc_api.json as Swagger 2.0 writes it: references into ``definitions``, no ``$comment``."""
    if isinstance(schema, list):
        return [swagger_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {}
    for key, value in schema.items():
        if key == '$comment':
            continue
        if key == '$ref':
            converted[key] = '#/definitions/' + value.rsplit('/', 1)[1]
        elif key == 'properties':
            converted[key] = dict((name, swagger_schema(field)) for name, field in value.items())
        else:
            converted[key] = swagger_schema(value)
    return converted


def _references(node):
    if isinstance(node, dict):
        if isinstance(node.get('$ref'), str):
            yield node['$ref'].rsplit('/', 1)[1]
        for value in node.values():
            yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def _operation(path, described):
    parameters = [{'name': name, 'in': 'path', 'required': True, 'type': 'string'}
                  for name in re.findall(r'\{([^}/]+)\}', path)]
    parameters.extend({'name': name, 'in': 'query', 'required': False, 'type': kind}
                      for name, kind in sorted(described['query'].items()))
    if 'request' in described:
        parameters.append({'name': 'body', 'in': 'body', 'required': True,
                           'schema': swagger_schema(described['request'])})
    return {
        'operationId': described['operationId'],
        'parameters': parameters,
        'responses': dict((status, {'description': ANSWER_DESCRIPTIONS[status], 'schema': swagger_schema(schema)})
                          for status, schema in described['responses'].items()),
    }


def build(api):
    """The Swagger 2.0 document for ``api`` (fmc_api.json, as a dict): the simulated operations and what they
    reach of its ``$defs``."""
    described = [(path, method, operation) for path, methods in api['paths'].items()
                 for method, operation in methods.items() if operation['operationId'] in SIMULATED]
    described.append(DOMAIN_LIST)
    paths = {}
    for path, method, operation in described:
        paths.setdefault('/api' + path, {})[method] = _operation(path, operation)
    names, todo = set(), [name for entry in described for name in _references(entry[2])]
    while todo:
        name = todo.pop()
        if name not in names:
            names.add(name)
            todo.extend(_references(api['$defs'][name]))
    return {
        'swagger': '2.0',
        'info': {'title': 'cdFMC simulator', 'version': '1.0'},
        'consumes': ['application/json'],
        'produces': ['application/json'],
        'paths': paths,
        # Empty, yet present: cisco.fmcansible reads the shared parameters of any operation that has parameters.
        'parameters': {},
        'definitions': dict((name, swagger_schema(api['$defs'][name])) for name in sorted(names)),
    }


@functools.lru_cache(maxsize=1)
def document():
    """The description served: built once from fmc_api.json. Callers must not change it."""
    with open(API_FILE) as handle:
        return build(json.load(handle))
