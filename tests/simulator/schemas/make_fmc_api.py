# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Maintainer script: Cisco's API description turned into the simulator's contract files.

    python make_fmc_api.py FMC_OPENAPI_SLICE.json CDFMC_GET_TASK_STATUS.json [--out DIR]

writes ``fmc_api.json`` (one JSON Schema per Cisco definition the paths reach, and the paths themselves)
and ``cisco_examples.json`` (Cisco's example payloads) into DIR, by default this script's directory.
Only facts are kept: paths, operation ids, query parameter names and types, field names, types, enums,
formats and Cisco's example bodies; every description, title and summary is left behind, and so is ``required``.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# The JSON Schema keywords kept; $ref is handled on its own.
KEPT = ('type', 'format', 'enum', 'items', 'properties', 'additionalProperties')
SOURCES = {
    'fmc': 'Cisco FMC Open API specification slice as kept in CiscoDevNet/FMCAnsible '
           'tests/unit/module_utils/test_data/fmc_spec_with_ex.json',
    'cdfmc': 'cdFMC OpenAPI 1.15 getTaskStatus page',
}
METHODS = ('get', 'put', 'post', 'delete', 'patch')


def _def_ref(ref):
    return {'$ref': '#/$defs/' + ref.rsplit('/', 1)[1]}


def convert(schema, lifted=None):
    """``schema`` with only the kept keywords and its references pointing into ``$defs``.

    A cdFMC page inlines each component and marks it with ``$$ref``; given ``lifted`` (a dict), each such
    copy is put there under its component name and replaced by a reference to it.
    """
    if '$ref' in schema:
        return _def_ref(schema['$ref'])
    if lifted is not None and '$$ref' in schema:
        inline = dict((key, value) for key, value in schema.items() if key != '$$ref')
        lifted[schema['$$ref'].rsplit('/', 1)[1]] = convert(inline, lifted)
        return _def_ref(schema['$$ref'])
    out = {}
    for key in KEPT:
        if key not in schema:
            continue
        value = schema[key]
        if key == 'properties':
            value = dict((name, convert(field, lifted)) for name, field in value.items())
        elif key in ('items', 'additionalProperties') and isinstance(value, dict):
            value = convert(value, lifted)
        out[key] = value
    return out


def _difference(ours, theirs):
    """What tells two shapes of one definition apart, in a few words (for a $comment)."""
    mine, other = ours.get('properties', {}), theirs.get('properties', {})
    parts = ['cdFMC only: %s' % ', '.join(sorted(set(mine) - set(other))),
             'FMC slice only: %s' % ', '.join(sorted(set(other) - set(mine))),
             'shaped differently: %s' % ', '.join(sorted(name for name in set(mine) & set(other)
                                                         if mine[name] != other[name]))]
    return '; '.join(part for part in parts if not part.endswith(': '))


def _parameters(operation, shared):
    """The operation's parameters, each ``$ref`` to a shared parameter resolved."""
    return [shared[p['$ref'].rsplit('/', 1)[1]] if '$ref' in p else p for p in operation.get('parameters', [])]


def _api_path(path):
    """A path as the contract names it: what follows ``/api`` (``/api/x``, ``/v1/cdfmc/api/x`` -> ``/x``)."""
    return path[path.index('/api/') + len('/api'):]


def _fmc(spec, paths, examples):
    for path, operations in spec['paths'].items():
        for method in (m for m in operations if m in METHODS):
            operation = operations[method]
            parameters = _parameters(operation, spec.get('parameters', {}))
            entry = {'operationId': operation['operationId'],
                     'query': dict((p['name'], p['type']) for p in parameters if p['in'] == 'query'),
                     'responses': dict((code, convert(answer['schema']))
                                       for code, answer in operation['responses'].items() if 'schema' in answer)}
            body = [p for p in parameters if p['in'] == 'body']
            if body:
                entry['request'] = convert(body[0]['schema'])
            paths.setdefault(_api_path(path), {})[method] = entry
            for code, answer in operation['responses'].items():
                # Cisco files request and response examples alike under the answer, each title saying which.
                for title, payload in answer.get('examples', {}).get('application/json', {}).items():
                    kind = 'request' if title.lower().startswith('request') else 'response'
                    examples.append(('fmc', entry['operationId'], method, _api_path(path), code, kind, payload))


def _cdfmc(page, paths, defs, examples):
    """Adds the cdFMC page's operation; its components replace the FMC slice's, each difference noted."""
    operation, lifted = page['spec'], {}
    method, path = operation['method'], _api_path(operation['path'])
    entry = paths.setdefault(path, {}).setdefault(method, {'operationId': operation['operationId'], 'query': {},
                                                           'responses': {}})
    if entry['operationId'] != operation['operationId']:
        raise ValueError('%s %s is %s in one file, %s in the other'
                         % (method, path, entry['operationId'], operation['operationId']))
    entry['query'].update((p['name'], p['schema']['type']) for p in operation.get('parameters', [])
                          if p['in'] == 'query')
    for code, answer in operation['responses'].items():
        content = answer.get('content', {}).get('application/json', {})
        if 'schema' in content:
            entry['responses'][code] = convert(content['schema'], lifted)
        for title in content.get('examples', {}):
            examples.append(('cdfmc', entry['operationId'], method, path, code, 'response',
                             content['examples'][title]['value']))
    for name, schema in lifted.items():
        if name in defs and defs[name] != schema:
            note = 'As the %s has it; the FMC slice differs (%s).' % (SOURCES['cdfmc'], _difference(schema, defs[name]))
            schema = dict(schema, **{'$comment': note})
        defs[name] = schema


def _references(node):
    if isinstance(node, dict):
        if '$ref' in node:
            yield node['$ref'].rsplit('/', 1)[1]
        for value in node.values():
            yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def _reachable(paths, defs):
    """The definitions the paths' answers and requests reach, directly or through other definitions."""
    seen, todo = set(), list(_references(paths))
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(_references(defs[name]))
    return dict((name, defs[name]) for name in seen)


def build(fmc_file, cdfmc_file):
    """The two documents: (fmc_api, cisco_examples), as dicts."""
    with open(fmc_file) as handle:
        spec = json.load(handle)
    with open(cdfmc_file) as handle:
        page = json.load(handle)
    defs = dict((name, convert(schema)) for name, schema in spec['definitions'].items())
    paths, found = {}, []
    _fmc(spec, paths, found)
    _cdfmc(page, paths, defs, found)
    api = {'$schema': 'https://json-schema.org/draft/2020-12/schema',
           '$comment': 'Generated by make_fmc_api.py from: %s; %s.' % (SOURCES['fmc'], SOURCES['cdfmc']),
           '$defs': _reachable(paths, defs), 'paths': paths}
    examples, counts = [], {}
    for source, operation_id, method, path, status, kind, body in found:
        counts[operation_id, kind] = counts.get((operation_id, kind), 0) + 1
        examples.append({'source': source, 'operationId': operation_id, 'method': method.upper(), 'path': path,
                         'status': status, 'kind': kind, 'body': body,
                         'name': '%s %s %d' % (operation_id, kind, counts[operation_id, kind])})
    return api, {'source': '%s (fmc); %s (cdfmc)' % (SOURCES['fmc'], SOURCES['cdfmc']), 'examples': examples}


def write(document, path):
    with open(path, 'w') as handle:
        handle.write(json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + '\n')


def main(argv):
    arguments = list(argv)
    out = HERE
    if '--out' in arguments:
        index = arguments.index('--out')
        out = arguments[index + 1]
        del arguments[index:index + 2]
    if len(arguments) != 2:
        sys.stderr.write(__doc__)
        return 2
    api, examples = build(*arguments)
    write(api, os.path.join(out, 'fmc_api.json'))
    write(examples, os.path.join(out, 'cisco_examples.json'))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
