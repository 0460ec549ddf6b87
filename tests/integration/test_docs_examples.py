# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every playbook the docs show runs as shown, with ansible-playbook, against the simulator.

Which blocks run (``runnable``): every ```yaml fenced block of README.md, docs/*.md and the roles' READMEs, and every
``.. code-block:: yaml`` of docs/docsite/rst/*.rst, that is

- a list of plays: its YAML is a list of mappings that each have ``hosts``; it runs as it is;
- or a fragment: its first line is ``# fragment: tasks`` (tasks to paste into a play); it runs as the
  ``tasks`` of a play on ``localhost`` without facts, its text indented under ``tasks:`` unchanged.

A rulebook (a list of mappings that each have ``sources`` and ``rules``: ansible-rulebook's, not ansible-playbook's)
is not run here: it must be, unchanged, one of the example rulebooks of extensions/eda/rulebooks, which
test_eda_rulebook.py runs with a real ansible-rulebook (the AAP one needs a controller; ansible-lint checks both).

Every other block is skipped: inventories, simulator scenarios, results shown, the AWX credential type
made with ``awx.awx`` (that needs an AWX server), and plays that need a collection the tests do not install
(``OTHER_COLLECTIONS``: cisco.fmcansible's guide is checked by test_fmcansible_chain.py). A skipped block that names a ``cisco.cdfmc.`` plugin
fails the test: an example of the collection is a play or a marked fragment.

How they run: connection settings come only from the environment (CDFMC_BASE_URL, CDFMC_API_TOKEN,
CDFMC_CA_PATH, as an AWX credential injects them), so an example that sets ``region: us`` would fail; no
variable of the docs is given, so each example defines what it needs. The blocks of one file run in order,
each with what the one before published with ``set_stats`` as extra variables, as an AWX workflow hands them
to its next node. Each runs, with ``-v``, against a freshly loaded fleet of the devices the docs name, three
times:

- every deployment succeeds: the example must succeed;
- a deployment to ftd-branch-7 fails with FMC's message: an example that deployed to it must fail, with that
  message in its output, and only after every report task (``ansible.builtin.debug``) of its plays ran;
  one that did not must succeed;
- in check mode: the example must succeed and send no deployment request.

A result shown in the docs (a YAML mapping with ``deployed``) must equal, key by key, what ``cdfmc_deploy``
returned in the run of the runnable block above it in the failing fleet.
"""

import glob
import json
import os
import re
import textwrap

import pytest
import yaml

from ansible.release import __version__ as ANSIBLE_CORE

from conftest import ROOT, TOKEN

CORE = tuple(int(part) for part in re.findall(r'\d+', ANSIBLE_CORE)[:2])
# scripts/test's newest leg is 2.21 (2.19 where only Python 3.11 is there); the oldest leg (2.16) skips these runs.
newest_core_only = pytest.mark.skipif(
    CORE < (2, 19), reason='the docs examples run on the newest ansible-core leg only (2.19 or later), not on %s'
    % ANSIBLE_CORE)

DOC_PATTERNS = ('docs/*.md', 'docs/docsite/rst/*.rst', 'roles/*/README.md')
DOCS = ['README.md'] + sorted(os.path.relpath(path, ROOT)
                              for pattern in DOC_PATTERNS for path in glob.glob(os.path.join(ROOT, pattern)))
FRAGMENT = '# fragment: tasks'
# Collections some examples chain with, which the tests do not install; where their examples are checked instead.
OTHER_COLLECTIONS = {'cisco.fmcansible': 'tests/integration/test_fmcansible_chain.py'}
EXAMPLES = os.path.join(ROOT, 'docs', 'examples')
GUIDE = os.path.join(ROOT, 'docs', 'docsite', 'rst', 'guide_deploy_and_wait.rst')

# The fleet the docs name: the ids and the version that the deploy guide shows.
VERSION = 1767261600000
FAILING = 'ftd-branch-7'
FAILING_ID = '0f5b5d6e-1a2b-11ee-9c1d-0a1b2c3d4e03'
FMC_MESSAGE = "Interface GigabitEthernet0/2: nameif 'outside2' conflicts with an existing interface"
TASK_ID = '4294969818'  # the task the getting started guide waits on
FLEET_IDS = ['0f5b5d6e-1a2b-11ee-9c1d-0a1b2c3d4e0%d' % number for number in range(1, 5)]


def docs_fleet(failing, history=False):
    """ftd-hq-1, ftd-hq-2 and ftd-branch-7 with changes pending, ftd-dc-1 up to date, and a finished deployment
    task; with ``failing``, a deployment to ftd-branch-7 fails with FMC's message (its changes stay pending); with
    ``history``, two changes deployed to them all before (Deploy_Job_1 "Change CHG0040", Deploy_Job_2 "Change
    CHG0041", which the rollback guide returns to; the task ids of the deployments made then come after theirs)."""
    def pending(*policies):
        return [{'policy': policy, 'version': VERSION} for policy in policies]
    branch = {'id': FAILING_ID, 'name': FAILING, 'pending': pending('Branch-Access-Policy')}
    if failing:
        branch.update(outcome='failed', message=FMC_MESSAGE)
    return {
        'deployment': {'step_seconds': 0.3, 'list_lag': 0.5},
        'devices': [
            {'id': '0f5b5d6e-1a2b-11ee-9c1d-0a1b2c3d4e01', 'name': 'ftd-hq-1',
             'pending': pending('HQ-Access-Policy', 'HQ-NAT')},
            {'id': '0f5b5d6e-1a2b-11ee-9c1d-0a1b2c3d4e02', 'name': 'ftd-hq-2', 'pending': pending('HQ-Access-Policy')},
            branch,
            {'id': '0f5b5d6e-1a2b-11ee-9c1d-0a1b2c3d4e04', 'name': 'ftd-dc-1'},
        ],
        'history': [{'units': FLEET_IDS, 'note': 'Change CHG0040'},
                    {'units': FLEET_IDS, 'note': 'Change CHG0041'}] if history else [],
        'tasks': [{'id': TASK_ID, 'task_type': 'DEVICE_DEPLOYMENT',
                   'timeline': [{'at': 0, 'status': 'Deployed', 'message': 'Deployment succeeded'}],
                   'sub_tasks': [{'target': {'id': '0f5b5d6e-1a2b-11ee-9c1d-0a1b2c3d4e01', 'name': 'ftd-hq-1',
                                             'type': 'Device'},
                                  'timeline': [{'at': 0, 'status': 'Succeeded', 'message': 'Deployment succeeded'}]}]}],
    }


# Extracting the blocks ------------------------------------------------------------------------------------

class Block:
    """One YAML block of a doc: where it is, its text (indentation removed), and what its YAML is."""

    def __init__(self, doc, line, text):
        self.doc, self.line, self.text = doc, line, textwrap.dedent(text)
        self.fragment = self.text.lstrip().startswith(FRAGMENT)
        try:
            self.data = yaml.safe_load(self.text)
        except yaml.YAMLError as exc:
            raise AssertionError('%s line %d: the YAML block does not parse: %s' % (doc, line, exc))

    def __repr__(self):
        return '%s line %d' % (self.doc, self.line)

    @property
    def rulebook(self):
        """A rulebook: every item has ``sources`` and ``rules`` (a play has neither)."""
        return (isinstance(self.data, list) and bool(self.data)
                and all(isinstance(item, dict) and 'sources' in item and 'rules' in item for item in self.data))

    @property
    def plays(self):
        return (isinstance(self.data, list) and bool(self.data) and not self.rulebook
                and all(isinstance(play, dict) and 'hosts' in play for play in self.data))

    @property
    def other_collection(self):
        """The other collection a block needs, which the tests do not install (None when it needs none)."""
        return next((name for name in OTHER_COLLECTIONS if name + '.' in self.text), None)

    @property
    def runnable(self):
        return (self.plays or self.fragment) and self.other_collection is None

    def playbook(self):
        """The text ansible-playbook runs: the block itself, or a fragment as the tasks of a play."""
        if self.plays:
            return self.text
        return ('- name: The tasks of %s\n  hosts: localhost\n  gather_facts: false\n  tasks:\n%s'
                % (self, textwrap.indent(self.text, '    ')))

    def report_tasks(self):
        """The names of the ansible.builtin.debug tasks of its plays: the reports a failure must not skip."""
        plays = self.data if self.plays else [{'tasks': self.data}]
        return [task['name'] for play in plays for task in play.get('tasks') or []
                if isinstance(task, dict) and 'ansible.builtin.debug' in task]


def yaml_blocks(doc, text):
    """The YAML blocks of a doc, in order: ```yaml fences (Markdown), ``.. code-block:: yaml`` (reStructuredText)."""
    lines = text.splitlines(True)
    blocks = []
    if doc.endswith('.md'):
        start = None
        for number, line in enumerate(lines):
            if start is None and re.match(r'^```ya?ml\s*$', line):
                start = number + 1
            elif start is not None and line.rstrip() == '```':
                blocks.append(Block(doc, start + 1, ''.join(lines[start:number])))
                start = None
        return blocks
    number = 0
    while number < len(lines):
        if re.match(r'^\s*\.\. code-block::\s*ya?ml\s*$', lines[number]):
            indent = len(lines[number]) - len(lines[number].lstrip())
            start = number + 1
            while start < len(lines) and (re.match(r'^\s+:\w[\w-]*:', lines[start])  # options such as :caption:
                                          or not lines[start].strip()):
                start += 1
            end = start
            while end < len(lines) and (not lines[end].strip() or
                                        len(lines[end]) - len(lines[end].lstrip()) > indent):
                end += 1
            blocks.append(Block(doc, start + 1, ''.join(lines[start:end]).strip('\n') + '\n'))
            number = end
        else:
            number += 1
    return blocks


def doc_blocks(doc):
    with open(os.path.join(ROOT, doc)) as handle:
        return yaml_blocks(doc, handle.read())


RUNNABLE_DOCS = [doc for doc in DOCS if any(block.runnable for block in doc_blocks(doc))]


def test_the_rule_picks_plays_and_marked_fragments():
    markdown = textwrap.dedent('''\
        ```yaml
        - name: A play
          hosts: localhost
          tasks: []
        ```
        ```yaml
        # fragment: tasks
            - name: A task to paste
              ansible.builtin.debug:
                msg: hello
        ```
        ```yaml
        all:
          hosts: {fmc: {}}
        ```
        ```bash
        ansible-playbook play.yml
        ```
        ''')
    blocks = yaml_blocks('x.md', markdown)
    assert [(block.line, block.plays, block.fragment, block.runnable) for block in blocks] == [
        (2, True, False, True), (7, False, True, True), (13, False, False, False)]
    wrapped = yaml.safe_load(blocks[1].playbook())
    assert wrapped == [{'name': 'The tasks of x.md line 7', 'hosts': 'localhost', 'gather_facts': False,
                        'tasks': [{'name': 'A task to paste', 'ansible.builtin.debug': {'msg': 'hello'}}]}]
    assert blocks[1].report_tasks() == ['A task to paste']
    rst = textwrap.dedent('''\
        Text.

        .. code-block:: yaml
          :caption: a play

          - name: A play
            hosts: localhost

        .. code-block:: yaml

          deployed: []
        After.
        ''')
    blocks = yaml_blocks('x.rst', rst)
    assert [(block.line, block.runnable) for block in blocks] == [(6, True), (11, False)]
    assert blocks[0].text == '- name: A play\n  hosts: localhost\n'


def test_every_example_of_the_collection_is_picked():
    """A block that names a cisco.cdfmc plugin but is neither plays nor a marked fragment would go untested."""
    found = [block for doc in DOCS for block in doc_blocks(doc)]
    assert sum(block.runnable for block in found) >= 7, found  # as many as the docs have today: the rule still finds them
    untested = [block for block in found if not block.runnable and 'cisco.cdfmc.' in block.text and
                block.other_collection is None and not block.rulebook]
    assert not untested, 'neither plays nor marked "%s": %s' % (FRAGMENT, untested)


def test_a_rulebook_shown_is_one_of_the_example_rulebooks_unchanged():
    """Rulebooks are skipped as plays; each one shown is an example file (which a real ansible-rulebook runs)."""
    examples = []
    for path in sorted(glob.glob(os.path.join(ROOT, 'extensions', 'eda', 'rulebooks', '*.yml'))):
        with open(path) as handle:
            examples.append(yaml.safe_load(handle))
    shown = [block for doc in DOCS for block in doc_blocks(doc) if block.rulebook]
    assert shown, 'the events guide shows the example rulebooks'
    assert not [block for block in shown if block.runnable]
    assert not [block for block in shown if block.data not in examples], [
        block for block in shown if block.data not in examples]
    rule = yaml_blocks('x.md', '```yaml\n- name: R\n  hosts: all\n  sources: []\n  rules: []\n```\n')
    assert [(block.rulebook, block.plays, block.runnable) for block in rule] == [(True, False, False)]


@pytest.mark.parametrize('recipe', ['deploy_and_wait.yml', 'deploy_with_uri_and_wait.yml'])
def test_the_guide_shows_the_recipe_files(recipe):
    """docs/examples holds the guide's recipes as files (ansible-lint checks them); the guide shows them unchanged."""
    with open(os.path.join(EXAMPLES, recipe)) as handle:
        text = handle.read()
    with open(GUIDE) as handle:
        assert textwrap.indent(text, '  ') in handle.read()


# Running them ---------------------------------------------------------------------------------------------

def _environment(simulator):
    # As an AWX credential injects them; custom stats shown so that set_stats can be handed to the next block.
    return {'CDFMC_BASE_URL': simulator.url + '/firewall', 'CDFMC_API_TOKEN': TOKEN,
            'CDFMC_CA_PATH': simulator.ca_file, 'ANSIBLE_SHOW_CUSTOM_STATS': 'true'}


def _results(stdout):
    """Every task result that -v printed (``ok: [host] => {...}``, ``changed:``, ``fatal:``), but loops' items."""
    decoder = json.JSONDecoder()
    found = []
    for match in re.finditer(r'^(?:ok|changed|fatal): \[[^\]]+\](?::\s*FAILED!)? => ', stdout, re.M):
        try:
            found.append(decoder.raw_decode(stdout, match.end())[0])
        except ValueError:
            continue  # a loop's item: "=> (item=...) => {...}"
    return found


def _published(stdout):
    """What the run published with set_stats (the default callback's ``RUN:`` line of CUSTOM STATS)."""
    match = re.search(r'^\s*RUN: (.*)$', stdout, re.M)
    return json.loads(match.group(1)) if match else {}


def _deployment_requests(simulator):
    return [request for request in simulator.requests()
            if request['path'].endswith('/deployment/deploymentrequests') and request['method'] == 'POST']


def _deployed_to(simulator, device_id):
    return any(device_id in (request.get('body') or {}).get('deviceList', [])
               for request in _deployment_requests(simulator))


def _check_shown_result(block, deploy_results):
    assert deploy_results, '%s shows a result of cdfmc_deploy, but the example above it did not deploy' % block
    returned = deploy_results[-1]
    for key, shown in block.data.items():
        assert returned.get(key) == shown, '%s shows %s: %r, the example returned %r' % (
            block, key, shown, returned.get(key))


@newest_core_only
@pytest.mark.parametrize('mode', ['every-deployment-succeeds', 'ftd-branch-7-fails', 'check-mode'])
@pytest.mark.parametrize('doc', RUNNABLE_DOCS)
def test_the_examples_run_as_shown(doc, mode, simulator, run_playbook, tmp_path):
    failing, check = mode == 'ftd-branch-7-fails', mode == 'check-mode'
    published, deploy_results, ran = {}, [], 0
    for block in doc_blocks(doc):
        if not block.runnable:
            if failing and isinstance(block.data, dict) and 'deployed' in block.data:
                _check_shown_result(block, deploy_results)
            continue
        simulator.load(docs_fleet(failing, history='rollback' in doc))
        playbook = tmp_path / ('%s-line-%d.yml' % (os.path.basename(doc), block.line))
        playbook.write_text(block.playbook())
        played = run_playbook(str(playbook), published, env=_environment(simulator), expect_rc=None, verbosity=1,
                              check=check)
        ran += 1
        output = played.output
        assert "is undefined" not in output, '%s: %r' % (block, played)
        if failing and _deployed_to(simulator, FAILING_ID):
            assert played.rc != 0, '%s: a deployment failed on %s and the play passed: %r' % (block, FAILING, played)
            assert FMC_MESSAGE in output, '%s: %r' % (block, played)
            failure = played.stdout.find('fatal: [')
            assert failure >= 0, '%s: %r' % (block, played)
            for name in block.report_tasks():
                assert 'TASK [%s]' % name in played.stdout[:failure], (
                    '%s: the report "%s" did not run before the failure: %r' % (block, name, played))
        else:
            assert played.rc == 0, '%s: %r' % (block, played)
        if check:
            assert not _deployment_requests(simulator), '%s sent a deployment request in check mode' % block
        deploy_results = [result for result in _results(played.stdout)
                          if 'deployed' in result and 'up_to_date' in result]  # cdfmc_deploy's
        published = _published(played.stdout)
    assert ran


# What the recipes claim beyond running ----------------------------------------------------------------------

@newest_core_only
def test_the_deploy_recipe_deploys_what_is_pending_and_a_second_run_is_ok(simulator, run_playbook):
    simulator.load(docs_fleet(failing=False))
    recipe = os.path.join(EXAMPLES, 'deploy_and_wait.yml')
    played = run_playbook(recipe, {'change_ticket': 'CHG-1'}, env=_environment(simulator))
    assert 'ftd-hq-1: succeeded (HQ-Access-Policy, HQ-NAT) Deployment succeeded' in played.stdout
    assert 'up to date: ftd-dc-1' in played.stdout and 'changed=1' in played.stdout
    (request,) = [r for r in simulator.requests() if r['path'].endswith('/deploymentrequests')]
    assert request['body']['deviceList'] == ['0f5b5d6e-1a2b-11ee-9c1d-0a1b2c3d4e01', FAILING_ID]
    assert request['body']['deploymentNote'] == 'CHG-1'
    played = run_playbook(recipe, env=_environment(simulator))
    assert 'changed=0' in played.stdout and 'up to date: ftd-hq-1, ftd-branch-7, ftd-dc-1' in played.stdout


@newest_core_only
def test_the_uri_recipe_reports_each_device(simulator, run_playbook):
    simulator.load(docs_fleet(failing=False))
    played = run_playbook(os.path.join(EXAMPLES, 'deploy_with_uri_and_wait.yml'), env=_environment(simulator))
    assert 'ftd-hq-1: succeeded Deployment succeeded' in played.stdout
    assert 'ftd-branch-7: succeeded Deployment succeeded' in played.stdout
    assert 'changed=1' in played.stdout  # the deployment request is a change
