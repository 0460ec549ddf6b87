# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Measuring real ansible-playbook runs against the bundled simulator.

A run's CPU is the whole process tree's (os.wait4 on ansible-playbook: its workers and the
modules they start are reaped inside it); its memory is sampled per process with psutil
(USS and PSS, so pages shared with ansible-playbook are not counted again); its requests,
and when each task's end was seen, come from the simulator's own request log.
"""

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import psutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLAYBOOKS = os.path.join(ROOT, 'benchmarks', 'playbooks')
sys.path.insert(0, os.path.join(ROOT, 'tests', 'simulator'))

from cdfmc_simulator.process import SimulatorProcess  # noqa: E402 - found through the path above
TOKEN = 'Bench-S3cret-T0ken'
GLOBAL_DOMAIN = 'e276abec-e0f2-11e3-8169-6d9ed49b625f'
TASK_PATH = '/job/taskstatuses/'
JOBS_PATH = '/deployment/jobhistories'
EVENT_SOURCE = os.path.join('ansible_collections', 'cisco', 'cdfmc', 'extensions', 'eda', 'plugins', 'event_source',
                            'fmc_events.py')


def task_ends(count, within, seed):
    """``count`` end times in seconds, uniform in (0.5, within], the same for the same seed."""
    rand = random.Random('%s-%s' % (seed, count))
    return [round(rand.uniform(0.5, within), 3) for _index in range(count)]


def task_ends_between(count, low, high, seed):
    """``count`` end times in seconds, uniform in [low, high], the same for the same seed."""
    rand = random.Random('%s-%s-%s-%s' % (seed, count, low, high))
    return [round(rand.uniform(low, high), 3) for _index in range(count)]


def percentile(values, share):
    """The value below which ``share`` of ``values`` lie (nearest rank), or None when there are none."""
    values = sorted(values)
    return values[int(share * (len(values) - 1))] if values else None


def steady_rate(polls):
    """Requests a minute once every task has had its first check (those come at once): the polls after the first
    of each task, from the last first check to the last poll. ``polls``: each task's poll times. None: too short."""
    firsts = [times[0] for times in polls if times]
    later = [at for times in polls for at in times[1:]]
    if not firsts or not later or max(later) - max(firsts) <= 0:
        return None
    counted = [at for at in later if at > max(firsts)]
    return len(counted) * 60.0 / (max(later) - max(firsts))


def task_scenario(ends, prefix='bench', rate_limit=None):
    """A scenario of deployments, one device each, that end (Deployed / SUCCEEDED) at ``ends``."""
    tasks = []
    for index, end in enumerate(ends):
        tasks.append({
            'id': '%s-%04d' % (prefix, index),
            'task_type': 'DEVICE_DEPLOYMENT',
            'timeline': [{'at': 0, 'status': 'Deploying', 'message': 'Deploying to 1 device'},
                         {'at': end, 'status': 'Deployed', 'message': 'Deployed to 1 device'}],
            'sub_tasks': [{'target': {'id': 'dev-%04d' % index, 'name': 'ftd-%04d' % index, 'type': 'Device'},
                           'timeline': [{'at': 0, 'status': 'DEPLOYING'}, {'at': end, 'status': 'SUCCEEDED'}]}],
        })
    scenario = {'api_token': TOKEN, 'tasks': tasks}
    if rate_limit:
        scenario['rate_limit'] = {'requests_per_minute': rate_limit}
    return scenario


def event_scenario(devices, deploying=(), pending=2):
    """A fleet of ``devices`` devices (ev-00, ev-01, ...) with three jobs of history before the scenario, the first
    ``pending`` devices with changes pending, and another administrator's deployments: ``deploying`` holds
    (device index, start, end) in seconds after the load, a device each."""
    names = ['ev-%02d' % index for index in range(devices)]
    return {'api_token': TOKEN,
            'devices': [dict({'id': name, 'name': 'ftd-%s' % name}, **({'pending': ['Branch-ACP']} if index < pending else {}))
                        for index, name in enumerate(names)],
            'history': [{'units': [names[index % devices]]} for index in range(3)],
            'deploying': [{'units': [names[index]], 'after': start, 'seconds': end - start} for index, start, end in deploying]}


class Simulator(SimulatorProcess):
    """The bundled simulator as its own process; ``loaded_at`` is when the current scenario started."""

    loaded_at = None

    def load(self, scenario):
        """Load a scenario; its clock starts now (``loaded_at``, time.monotonic of this host)."""
        before = time.monotonic()
        super(Simulator, self).load(scenario)
        # The simulator stamps the load between these two readings; the middle is within a few ms.
        self.loaded_at = (before + time.monotonic()) / 2


class Run:
    """One measured ansible-playbook run."""

    def __init__(self, rc, started, ended, cpu, main_cpu, memory, log_file):
        self.rc = rc
        self.started = started
        self.ended = ended
        self.cpu = cpu
        self.main_cpu = main_cpu
        self.memory = memory
        self.log_file = log_file

    @property
    def wall(self):
        return self.ended - self.started


def _own_cpu(pid):
    """CPU seconds of the process itself, not its children (utime + stime from /proc/PID/stat)."""
    with open('/proc/%d/stat' % pid) as handle:
        fields = handle.read().rsplit(')', 1)[1].split()
    # After the command: state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
    return (int(fields[11]) + int(fields[12])) / float(os.sysconf('SC_CLK_TCK'))


class MemorySampler(threading.Thread):
    """Samples the USS and PSS of every process under ``pid`` and keeps each one's peak."""

    def __init__(self, pid, interval=0.1):
        super(MemorySampler, self).__init__(daemon=True)
        self._root = psutil.Process(pid)
        self._interval = interval
        self._stopping = threading.Event()
        self.peaks = {}

    def run(self):
        while not self._stopping.is_set():
            try:
                children = self._root.children(recursive=True)
            except psutil.Error:
                return
            for child in children:
                try:
                    info = child.memory_full_info()
                    command = ' '.join(child.cmdline()[:3])
                    parent = child.ppid()
                except psutil.Error:
                    continue
                peak = self.peaks.setdefault(child.pid, {'uss': 0, 'pss': 0, 'rss': 0, 'command': command,
                                                         'parent': parent})
                for field in ('uss', 'pss', 'rss'):
                    peak[field] = max(peak[field], getattr(info, field))
            self._stopping.wait(self._interval)

    def stop(self):
        self._stopping.set()
        self.join()


class Runner:
    """Runs the bench playbooks with the installed collection, each in a clean environment."""

    def __init__(self, collections_path, work_dir):
        self.collections_path = collections_path
        self.work_dir = work_dir
        self._count = 0
        self._lock = threading.Lock()
        self.ansible_playbook = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')

    def _environment(self, simulator, scratch, ansible_cfg):
        environment = clean_environment(
            ANSIBLE_COLLECTIONS_PATH=self.collections_path,
            ANSIBLE_HOME=os.path.join(scratch, 'ansible-home'),
            ANSIBLE_LOCAL_TEMP=os.path.join(scratch, 'ansible-tmp'),
            ANSIBLE_NOCOLOR='1',
            ANSIBLE_RETRY_FILES_ENABLED='0',
            # The request budget's files live under TMPDIR: a fresh one per run, shared by its forks.
            TMPDIR=os.path.join(scratch, 'tmp'),
        )
        # Always a config of our own: a ~/.ansible.cfg or /etc/ansible/ansible.cfg must not change the figures.
        path = os.path.join(scratch, 'ansible.cfg')
        with open(path, 'w') as handle:
            handle.write('[defaults]\n' + ''.join('%s = %s\n' % item for item in sorted((ansible_cfg or {}).items())))
        environment['ANSIBLE_CONFIG'] = path
        if simulator is not None:
            environment.update(CDFMC_BASE_URL=simulator.url, CDFMC_API_TOKEN=TOKEN, CDFMC_CA_PATH=simulator.ca_file)
        os.makedirs(environment['TMPDIR'])
        return environment

    def run(self, playbook, simulator=None, variables=None, hosts=None, forks=5, sample_memory=False, ansible_cfg=None,
            environment=None):
        """Run benchmarks/playbooks/``playbook``; ``hosts`` maps inventory host names to their variables,
        ``ansible_cfg`` holds [defaults] settings (none: ansible-core's defaults)."""
        with self._lock:
            self._count += 1
            scratch = os.path.join(self.work_dir, 'run-%03d-%s' % (self._count, os.path.splitext(playbook)[0]))
        os.makedirs(scratch)
        inventory = {'all': {'hosts': dict(
            (name, dict(values, ansible_connection='local', ansible_python_interpreter=sys.executable))
            for name, values in (hosts or {'localhost': {}}).items())}}
        inventory_file = os.path.join(scratch, 'inventory.json')
        with open(inventory_file, 'w') as handle:
            json.dump(inventory, handle)
        variables = dict(variables or {})
        if simulator is not None:
            variables.setdefault('bench_domain', GLOBAL_DOMAIN)
        vars_file = os.path.join(scratch, 'vars.json')
        with open(vars_file, 'w') as handle:
            json.dump(variables, handle)
        command = [self.ansible_playbook, '-i', inventory_file, '-e', '@' + vars_file, '-f', str(forks),
                   os.path.join(PLAYBOOKS, playbook)]
        log_file = os.path.join(scratch, 'ansible-playbook.log')
        extra, environment = environment, self._environment(simulator, scratch, ansible_cfg)
        environment.update(extra or {})
        with open(log_file, 'w') as log:
            started = time.monotonic()
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=environment, cwd=scratch)
            sampler = MemorySampler(process.pid) if sample_memory else None
            if sampler is not None:
                sampler.start()
            # Wait for the exit without reaping: the zombie's /proc stat still tells its own CPU apart from
            # its reaped children's (the workers, and the modules they ran).
            os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
            ended = time.monotonic()
            main_cpu = _own_cpu(process.pid)
            _pid, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            if sampler is not None:
                sampler.stop()
        memory = None
        if sampler is not None:
            workers = [peak for peak in sampler.peaks.values() if peak['parent'] == process.pid]
            memory = {'worker_uss_max': max([peak['uss'] for peak in workers] or [0]),
                      'worker_pss_max': max([peak['pss'] for peak in workers] or [0]),
                      'worker_rss_max': max([peak['rss'] for peak in workers] or [0]),
                      'workers': len(workers)}
        shutil.rmtree(environment['TMPDIR'], ignore_errors=True)
        return Run(process.returncode, started, ended, usage.ru_utime + usage.ru_stime, main_cpu, memory, log_file)


def play_import_seconds(log_file):
    """Seconds of imports made once the play started (top-level modules logged after its PLAY line), in a run made
    with PYTHONPROFILEIMPORTTIME=1: what loading its action plugin cost ansible-playbook, and any import
    in its worker (so an upper bound for the plugin's own)."""
    total, in_play = 0.0, False
    with open(log_file) as handle:
        for line in handle:
            if line.startswith('PLAY ['):
                in_play = True
            elif in_play and line.startswith('import time:'):
                parts = line.split('|')
                if len(parts) == 3 and parts[1].strip().isdigit() and not parts[2][1:2].isspace():
                    total += int(parts[1]) / 1e6
    return total


def task_requests(log, prefix, answered=False):
    """The request log's GETs of tasks whose id starts with ``prefix``: {task id: [since_load, ...]}.
    ``answered``: only those the server answered (not HTTP 429: those did not look at the task)."""
    polls = {}
    for entry in log:
        path = entry['path']
        if TASK_PATH not in path or (answered and entry.get('status') == 429):
            continue
        task_id = path.rsplit('/', 1)[-1]
        if task_id.startswith(prefix):
            polls.setdefault(task_id, []).append(entry['since_load'])
    for times in polls.values():
        times.sort()
    return polls


def detection_latencies(polls, ends):
    """Seconds from each task's end to the first request that saw it ended (None: never seen)."""
    latencies = {}
    for task_id, end in ends.items():
        seen = [at for at in polls.get(task_id, []) if at >= end]
        latencies[task_id] = (seen[0] - end) if seen else None
    return latencies


def gap_in_force(polls, end):
    """The gap between the last poll before ``end`` and the one that saw it (the poll gap in force)."""
    before = [at for at in polls if at < end]
    after = [at for at in polls if at >= end]
    if not before or not after:
        return None
    return after[0] - before[-1]


def longest_gap(polls, end):
    """The longest time between two polls of a task, up to the first at or after its ``end`` (None: fewer than two)."""
    seen = [at for at in polls if at < end] + [at for at in polls if at >= end][:1]
    gaps = [later - earlier for earlier, later in zip(seen, seen[1:])]
    return max(gaps) if gaps else None


def rate_limited(log):
    """How many answers were HTTP 429."""
    return sum(1 for entry in log if entry.get('status') == 429)


def max_in_window(log, window=60.0):
    """Most requests the server accepted in any ``window`` seconds."""
    times = sorted(entry['since_load'] for entry in log if entry.get('status') != 429)
    best, start = 0, 0
    for index, at in enumerate(times):
        while times[start] <= at - window:
            start += 1
        best = max(best, index - start + 1)
    return best


def steady_request_rate(times, interval):
    """Requests a minute after a poller's first poll (its requests within ``interval`` / 2 of the first one: the first
    poll reads more), from the first request to the last. ``times``: the request times, sorted. None: too short."""
    later = [at for at in times if at >= times[0] + interval / 2.0] if times else []
    if not later:
        return None
    return len(later) * 60.0 / (times[-1] - times[0])


def clean_environment(**extra):
    """This process's environment without CDFMC_ and ANSIBLE_ settings (a run is given only what it names)."""
    environment = dict((key, value) for key, value in os.environ.items() if not key.startswith(('CDFMC_', 'ANSIBLE_')))
    environment.update(extra)
    return environment


def run_event_source(collections_path, args, seconds, scratch):
    """Run the installed collection's fmc_events source in a process of its own (benchmarks/event_source.py) for
    ``seconds`` with ``args``, its TMPDIR (the request budget's files) under ``scratch``: what it put, and when."""
    settings, out = os.path.join(scratch, 'settings.json'), os.path.join(scratch, 'figures.json')
    with open(settings, 'w') as handle:
        json.dump({'source': os.path.join(collections_path, EVENT_SOURCE), 'args': args, 'seconds': seconds, 'out': out},
                  handle)
    os.makedirs(os.path.join(scratch, 'tmp'))
    log_file = os.path.join(scratch, 'event_source.log')
    with open(log_file, 'w') as log:
        rc = subprocess.call([sys.executable, os.path.join(ROOT, 'benchmarks', 'event_source.py'), settings], stdout=log,
                             stderr=subprocess.STDOUT, cwd=scratch, timeout=seconds + 60,
                             env=clean_environment(TMPDIR=os.path.join(scratch, 'tmp')))
    if rc != 0:
        raise RuntimeError('the event source failed (rc %d); see %s' % (rc, log_file))
    with open(out) as handle:
        figures = json.load(handle)
    if not figures['imported_from'].startswith(os.path.join(collections_path, '')):
        raise RuntimeError('the event source ran code from %s, not the installed collection' % figures['imported_from'])
    with open(log_file) as handle:
        figures['warnings'] = sum(1 for line in handle if ' WARNING ' in line)
    figures['log_file'] = log_file
    return figures


def redis_missing():
    """Why a redis-server of the bench's own cannot run here, or None (tests/redis_server.py says)."""
    if os.path.join(ROOT, 'tests') not in sys.path:
        sys.path.insert(0, os.path.join(ROOT, 'tests'))
    from redis_server import redis_missing as missing
    return missing()


def start_redis(collections_path, directory):
    """The tests' RedisServer (tests/redis_server.py): a redis-server on a free loopback port, its ``cdfmc`` user
    with exactly the ACL of the installed collection (REDIS_ACL). ``url()`` is that user's URL; ``kill()`` stops it."""
    for path in (os.path.join(ROOT, 'tests'), collections_path):
        if path not in sys.path:
            sys.path.insert(0, path)
    from redis_server import RedisServer  # found through the paths above
    return RedisServer(directory)


def make_work_dir():
    return tempfile.mkdtemp(prefix='cdfmc-bench-')
