# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shape the code keeps: thin entry points, short functions, no import cycle among the collection's modules."""

import ast
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLUGINS = os.path.join(ROOT, 'plugins')
PACKAGE = 'ansible_collections.cisco.cdfmc.'
# An entry point's run() or main() only reads options, calls the core and shapes the result.
ENTRY_POINT_LINES = 50
FUNCTION_LINES = 60


def sources():
    for directory, _directories, names in os.walk(PLUGINS):
        for name in sorted(names):
            if name.endswith('.py'):
                path = os.path.join(directory, name)
                with open(path) as handle:
                    yield os.path.relpath(path, ROOT), ast.parse(handle.read())


def test_functions_are_short_and_entry_points_thin():
    too_long = []
    for path, tree in sources():
        entry_point = path.split(os.sep)[1] in ('action', 'modules', 'lookup')
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1  # from def to its last line, docstring included
                limit = ENTRY_POINT_LINES if entry_point and node.name in ('run', 'main') else FUNCTION_LINES
                if lines > limit:
                    too_long.append('%s:%d %s: %d lines (at most %d)' % (path, node.lineno, node.name, lines, limit))
    assert too_long == []


def imports():
    graph = {}
    for path, tree in sources():
        module = path[:-3].replace(os.sep, '.')
        graph[module] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or '').startswith(PACKAGE):
                target = node.module[len(PACKAGE):]
                if target.endswith(('module_utils', 'plugin_utils')):
                    graph[module].update('%s.%s' % (target, alias.name) for alias in node.names)
                else:
                    graph[module].add(target)
    return graph


def test_no_import_cycle():
    graph = imports()
    state = {}

    def visit(module, trail):
        if state.get(module) == 'done':
            return
        if state.get(module) == 'open':
            pytest.fail('import cycle: %s' % ' -> '.join(trail[trail.index(module):] + [module]))
        state[module] = 'open'
        for dependency in sorted(graph.get(module, ())):
            visit(dependency, trail + [module])
        state[module] = 'done'

    for module in sorted(graph):
        visit(module, [])


def test_modules_do_not_import_controller_only_code():
    graph = imports()
    shipped = [module for module in graph if module.startswith(('plugins.modules.', 'plugins.module_utils.'))]
    for module in shipped:
        assert not any(dependency.startswith('plugins.plugin_utils') for dependency in graph[module]), module
