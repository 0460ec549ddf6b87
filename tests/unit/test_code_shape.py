# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shape the code keeps: thin entry points, short functions with short parameter lists, one notion of time, no
import cycle among the collection's modules."""

import ast
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLUGINS = os.path.join(ROOT, 'plugins')
# The Event-Driven Ansible sources keep the same rules.
EXTENSIONS = os.path.join(ROOT, 'extensions', 'eda')
PACKAGE = 'ansible_collections.cisco.cdfmc.'
# An entry point's run() or main() only reads options, calls the core and shapes the result.
ENTRY_POINT_LINES = 30
FUNCTION_LINES = 40
# Parameters of a function (self and cls aside; *args and **kwargs count one each).
PARAMETERS = 7
# Monotonic time and sleeping: only through the Deadline (and the budget, whose clock is its own).
MONOTONIC_ALLOWED = ('plugins/module_utils/_deadline.py', 'plugins/module_utils/_budget.py')
# The wall clock is read in one place: Clock.now().
WALL_CLOCK_ALLOWED = ('plugins/module_utils/_deadline.py',)


def sources():
    for directory, _directories, names in [walked for top in (PLUGINS, EXTENSIONS) for walked in os.walk(top)]:
        for name in sorted(names):
            if name.endswith('.py'):
                path = os.path.join(directory, name)
                with open(path) as handle:
                    yield os.path.relpath(path, ROOT), ast.parse(handle.read())


def test_functions_are_short_and_entry_points_thin():
    too_long = []
    for path, node in functions():
        entry_point = path.split(os.sep)[1] in ('action', 'modules', 'lookup', 'eda')
        lines = node.end_lineno - node.lineno + 1  # from def to its last line, docstring included
        limit = ENTRY_POINT_LINES if entry_point and node.name in ('run', 'main') else FUNCTION_LINES
        if lines > limit:
            too_long.append('%s:%d %s: %d lines (at most %d)' % (path, node.lineno, node.name, lines, limit))
    assert too_long == []


def functions():
    for path, tree in sources():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield path, node


def test_parameter_lists_are_short():
    too_many = []
    for path, node in functions():
        arguments = node.args
        names = [argument.arg for argument in arguments.posonlyargs + arguments.args + arguments.kwonlyargs]
        count = len(names) - (1 if names[:1] in (['self'], ['cls']) else 0)
        count += (arguments.vararg is not None) + (arguments.kwarg is not None)
        if count > PARAMETERS:
            too_many.append('%s:%d %s: %d parameters (at most %d)' % (path, node.lineno, node.name, count, PARAMETERS))
    assert too_many == []


def _named_deadline(node):
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ''
    return 'deadline' in name.lower()


def test_deadlines_are_deadlines_not_numbers():
    # A deadline is a Deadline: nothing adds to it, subtracts it, orders it against a number or takes its min/max.
    raw = []
    for path, tree in sources():
        for node in ast.walk(tree):
            operands = []
            if isinstance(node, ast.BinOp):
                operands = [node.left, node.right]
            elif isinstance(node, ast.Compare) and not all(isinstance(op, (ast.Is, ast.IsNot)) for op in node.ops):
                operands = [node.left] + node.comparators
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ('min', 'max'):
                operands = node.args
            if any(_named_deadline(operand) for operand in operands):
                raw.append('%s:%d' % (path, node.lineno))
    assert raw == []


def _reads(tree, module, names):
    """Where ``module.name`` is used (for each of ``names``), or imported from ``module``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == module and \
                node.attr in names:
            yield node.lineno, '%s.%s' % (module, node.attr)
        elif isinstance(node, ast.ImportFrom) and node.module == module:
            for alias in node.names:
                if alias.name in names:
                    yield node.lineno, 'from %s import %s' % (module, alias.name)


def test_time_goes_through_the_deadline_and_the_wall_clock_through_one_reader():
    found = []
    for path, tree in sources():
        if path not in MONOTONIC_ALLOWED:
            found.extend('%s:%d %s' % ((path,) + read) for read in _reads(tree, 'time', ('monotonic', 'sleep',
                                                                                         'perf_counter')))
        if path not in WALL_CLOCK_ALLOWED:
            found.extend('%s:%d %s' % ((path,) + read) for read in _reads(tree, 'time', ('time', 'time_ns')))
            found.extend('%s:%d %s' % ((path,) + read) for read in _reads(tree, 'datetime', ('now', 'utcnow', 'today')))
            found.extend('%s:%d %s' % ((path,) + read) for read in _reads(tree, 'date', ('today',)))
            # The time functions that read the clock when given no time.
            found.extend('%s:%d %s() reads the clock' % (path, node.lineno, node.func.attr) for node in ast.walk(tree)
                         if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and
                         isinstance(node.func.value, ast.Name) and node.func.value.id == 'time' and
                         len(node.args) < {'strftime': 2}.get(node.func.attr, 1) and
                         node.func.attr in ('localtime', 'gmtime', 'ctime', 'asctime', 'strftime'))
    assert found == []


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
