# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the benchmark suite: cdfmc_task_wait against uri + until, on the bundled simulator.

Usage (scripts/bench does the set-up): python benchmarks/run.py --collections-path DIR [--out docs]

Writes DIR/benchmarks.md, its plots (DIR/benchmarks/*.png) and every figure (DIR/benchmarks/results.json).
--quick runs each scenario small and short (a check of the suite itself, not figures to publish).
"""

import argparse
import concurrent.futures
import datetime
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time

import harness
import report

# Scenario 1: one task ending at 20 s, both contenders polling every 5 s.
ONE_TASK_END = 20.0
POLL = 5.0
# ansible-core's main process checks its workers every internal_poll_interval (default 1 ms) while any
# task runs; scenario 1 is also measured with it relaxed to show what is left once that is out of the way.
RELAXED = {'internal_poll_interval': 0.05}
# Scenario 2: N tasks ending at random times within 60 s.
COUNTS = (1, 10, 40, 100, 500)
WITHIN = 60.0
SEED = 2026
# Scenario 3: 40 tasks on a server that allows 120 requests a minute, waited on from 1, 4 and 8 forks.
RATE = 120
FORK_COUNTS = (1, 4, 8)
FORK_TASKS = 40
DEFAULT_BUDGET = 100  # max_requests_per_minute's default
# Scenario 2's small waits are run this many times at the default schedule: their latency is the median of the runs.
LATENCY_RUNS = 3
LATENCY_COUNTS = (1, 10)
# Scenario 5, the budget under pressure: 40 tasks ending between 2 and 8 s, polled every 1 s growing to 2 s, on a
# server that allows 120 requests a minute, with the default budget; the same with a budget that does not bind;
# and a serial loop of uri + until (delay 1).
PRESSURE_TASKS = 40
PRESSURE_ENDS = (2.0, 8.0)
PRESSURE_POLL, PRESSURE_MAX_POLL = 1.0, 2.0
FREE_BUDGET = 10000
# Scenario 6, jobs that share one FMC: 3 jobs (each ansible-playbook with a TMPDIR of its own, as AWX jobs in separate
# containers) wait on 20 tasks each, ending between 30 and 90 s, polled as in scenario 5, each with the default budget,
# against one server that allows 120 requests a minute: each job's budget in its own files, then all in one Redis.
JOBS = 3
JOB_TASKS = 20
JOB_ENDS = (30.0, 90.0)
# Scenario 7, events: the fmc_events source (Event-Driven Ansible) at its defaults (a poll every 15 s, a budget of 100 a
# minute), in a process of its own: 10 deployments end between 20 and 200 s, the even ones running when the source
# starts, the odd ones starting later, 2 to 5 s before their end (most of these start and end between two polls: only
# the job history window lists them) or 20 to 60 s; side by side, two sources for 4 minutes with nothing changing:
# kinds [deployment], and kinds [deployment, pending].
EVENT_JOBS = 10
EVENT_ENDS = (20.0, 200.0)
EVENT_DURATIONS = ((2.0, 5.0), (20.0, 60.0))  # the odd jobs' durations, short and long by turns
EVENT_POLL = 15.0  # poll_interval's default: the source is given none (but in --quick's event run)
EVENT_STEADY = 240.0
LONG_PAUSE = 20  # seconds the idle baseline's task sleeps (the wait of scenario 1 runs about as long)


SCENARIOS = ('one_task', 'many_tasks', 'forks', 'latency', 'pressure', 'jobs', 'events')  # in the order they run


def budget_for(count):
    """Scenario 2's max_requests_per_minute: room for every task to be polled every 5 s, plus margin."""
    return max(DEFAULT_BUDGET, 15 * count)


class Suite:
    def __init__(self, collections_path, work_dir, quick):
        self.runner = harness.Runner(collections_path, work_dir)
        self.work_dir = work_dir
        self.quick = quick
        self.long_pause = 5 if quick else LONG_PAUSE

    def simulator(self):
        # A directory of its own per simulator: runs start them from several threads at once.
        return harness.Simulator(tempfile.mkdtemp(prefix='simulator-', dir=self.work_dir))

    def measure(self, simulator, playbook, ends, variables=None, hosts=None, forks=5, sample_memory=False,
                ansible_cfg=None, rate_limit=None, prefix='bench', environment=None):
        """Load ``ends`` as tasks, run the playbook, and read what the server saw."""
        simulator.load(harness.task_scenario(ends, prefix=prefix, rate_limit=rate_limit))
        run = self.runner.run(playbook, simulator, variables, hosts=hosts, forks=forks,
                              sample_memory=sample_memory, ansible_cfg=ansible_cfg, environment=environment)
        log = simulator.requests()
        if run.rc != 0:
            raise RuntimeError('%s failed (rc %d); see %s' % (playbook, run.rc, run.log_file))
        polls = harness.task_requests(log, prefix)
        ids = ['%s-%04d' % (prefix, index) for index in range(len(ends))]
        end_of = dict(zip(ids, ends))
        latencies = harness.detection_latencies(polls, end_of)
        return {
            'playbook': playbook,
            'tasks': len(ends),
            'cpu': run.cpu,
            'cpu_main': run.main_cpu,
            'cpu_workers': run.cpu - run.main_cpu,
            'wall': run.wall,
            'overshoot': run.ended - (simulator.loaded_at + max(ends)),
            'requests': len(log),
            'task_requests': sum(len(times) for times in polls.values()),
            'rate_limited': harness.rate_limited(log),
            'max_in_60s': harness.max_in_window(log),
            'memory': run.memory,
            'per_task': [{'id': task_id, 'end': end_of[task_id], 'polls': polls.get(task_id, []),
                          'latency': latencies[task_id],
                          'gap': harness.gap_in_force(polls.get(task_id, []), end_of[task_id])}
                         for task_id in ids],
        }

    def baseline(self, ansible_cfg=None):
        """An empty play (three times, the median) and a worker that sleeps 1 s and 20 s (ansible's idle cost)."""
        empties = [self.runner.run('empty.yml', ansible_cfg=ansible_cfg) for _number in range(3)]
        pauses = {}
        for seconds in (1, self.long_pause):
            run = self.runner.run('pause.yml', variables={'bench_pause_seconds': seconds}, sample_memory=True,
                                  ansible_cfg=ansible_cfg)
            pauses[str(seconds)] = {'cpu': run.cpu, 'wall': run.wall, 'memory': run.memory}
        short, long = pauses['1'], pauses[str(self.long_pause)]
        slope = (long['cpu'] - short['cpu']) / (long['wall'] - short['wall'])
        return {
            'empty_cpu': statistics.median(run.cpu for run in empties),
            'empty_wall': statistics.median(run.wall for run in empties),
            'pause': pauses,
            'long_pause': self.long_pause,
            # CPU of a play whose one task only sleeps, as a line over its wall time: a + b * wall.
            'idle_a': short['cpu'] - slope * short['wall'],
            'idle_b': slope,
        }

    def scenario_one_task(self):
        simulator = self.simulator()
        end = 3.0 if self.quick else ONE_TASK_END
        results = {}
        try:
            for label, ansible_cfg in (('default', None), ('relaxed', RELAXED)):
                rows = {'baseline': self.baseline(ansible_cfg)}
                rows['wait'] = self.measure(simulator, 'wait.yml', [end], {
                    'bench_task_ids': ['bench-0000'], 'bench_poll_interval': POLL, 'bench_max_poll_interval': POLL},
                    sample_memory=True, ansible_cfg=ansible_cfg)
                rows['uri'] = self.measure(simulator, 'uri_until.yml', [end], {
                    'bench_task_ids': ['bench-0000'], 'bench_delay': POLL}, ansible_cfg=ansible_cfg)
                results[label] = rows
            # What loading each contender's action plugin costs ansible-playbook's own process (it is not in
            # the workers' CPU): from Python's import log, in one more short run each.
            imports = {}
            for contender, playbook, variables in (('wait', 'wait.yml', {}), ('uri', 'uri_until.yml', {'bench_delay': 1})):
                simulator.load(harness.task_scenario([1.0]))
                variables['bench_task_ids'] = ['bench-0000']
                run = self.runner.run(playbook, simulator, variables, environment={'PYTHONPROFILEIMPORTTIME': '1'})
                imports[contender] = harness.play_import_seconds(run.log_file)
        finally:
            simulator.stop()
        return {'end': end, 'poll_interval': POLL, 'relaxed': RELAXED, 'runs': results, 'imports': imports}

    def scenario_many_tasks(self):
        counts = (1, 10) if self.quick else COUNTS
        within = 6.0 if self.quick else WITHIN
        relaxed_count = counts[-1] if self.quick else 40
        waits, uris = [], []
        for count in counts:
            ends = harness.task_ends(count, within, SEED)
            ids = ['bench-%04d' % index for index in range(count)]
            budget = budget_for(count)
            waits.append((count, 'wait', 'wait.yml', ends, {'bench_task_ids': ids, 'bench_budget': budget}, None))
            waits.append((count, 'wait_fixed', 'wait.yml', ends, {
                'bench_task_ids': ids, 'bench_budget': budget, 'bench_poll_interval': POLL, 'bench_max_poll_interval': POLL}, None))
            uris.append((count, 'uri', 'uri_until.yml', ends, {'bench_task_ids': ids, 'bench_delay': POLL}, None))
            if count == relaxed_count:
                waits.append((count, 'wait_relaxed', 'wait.yml', ends, {'bench_task_ids': ids, 'bench_budget': budget}, RELAXED))
                uris.append((count, 'uri_relaxed', 'uri_until.yml', ends, {'bench_task_ids': ids, 'bench_delay': POLL}, RELAXED))

        # The smallest and the largest wait again with the budget in Redis (budget_url): its CPU per poll.
        redis = None if harness.redis_missing() else harness.start_redis(
            self.runner.collections_path, tempfile.mkdtemp(prefix='redis-', dir=self.work_dir))
        if redis is not None:
            for job in [job for job in waits if job[1] == 'wait' and job[0] in (counts[0], counts[-1])]:
                waits.append((job[0], 'wait_redis') + job[2:5] + ({'CDFMC_BUDGET_URL': redis.url()},))

        def one(job):
            count, contender, playbook, ends, variables, setting = job
            simulator = self.simulator()
            environment, ansible_cfg = (setting, None) if contender == 'wait_redis' else (None, setting)
            try:
                row = self.measure(simulator, playbook, ends, variables, sample_memory=playbook == 'wait.yml',
                                   ansible_cfg=ansible_cfg, environment=environment)
            finally:
                simulator.stop()
            row['budget'] = variables.get('bench_budget')
            return count, contender, row

        rows = {}
        # Side by side, in two rounds: every wait at once (they are mostly idle), then every uri loop at
        # once (one after the other would take longer than the whole suite may). Each run has its own simulator.
        try:
            for jobs in (waits, uris):
                with concurrent.futures.ThreadPoolExecutor(len(jobs)) as pool:
                    for count, contender, row in pool.map(one, jobs):
                        rows.setdefault(str(count), {})[contender] = row
                # Checked while the largest wait's keys live (about 90 s after its last request).
                if jobs is waits and redis is not None and not redis.admin().keys('cdfmc:*'):
                    raise RuntimeError('the waits given CDFMC_BUDGET_URL left nothing in Redis: its store was not used')
        finally:
            if redis is not None:
                redis.kill()
        return {'counts': list(counts), 'within': within, 'seed': SEED, 'poll_interval': POLL, 'budgets': dict(
            (str(count), budget_for(count)) for count in counts), 'relaxed': RELAXED, 'relaxed_count': relaxed_count,
            'runs': rows}

    def scenario_latency(self):
        """Scenario 2's small waits at the default schedule, again and again: detection latency, median of the runs."""
        counts = (10,) if self.quick else LATENCY_COUNTS
        within = 6.0 if self.quick else WITHIN
        jobs = [(count, run) for count in counts for run in range(1 if self.quick else LATENCY_RUNS)]

        def one(job):
            count, run = job
            simulator = self.simulator()
            try:
                row = self.measure(simulator, 'wait.yml', harness.task_ends(count, within, SEED), {
                    'bench_task_ids': ['bench-%04d' % index for index in range(count)], 'bench_budget': budget_for(count)})
            finally:
                simulator.stop()
            latencies = [task['latency'] for task in row['per_task'] if task['latency'] is not None]
            return count, {'run': run, 'p90': harness.percentile(latencies, 0.9), 'median': harness.percentile(latencies, 0.5),
                           'max_in_60s': row['max_in_60s'], 'requests': row['requests'], 'wall': row['wall'],
                           'overshoot': row['overshoot'], 'budget': budget_for(count),
                           'steady_rate': harness.steady_rate([task['polls'] for task in row['per_task']])}

        rows = {}
        with concurrent.futures.ThreadPoolExecutor(len(jobs)) as pool:
            for count, row in pool.map(one, jobs):
                rows.setdefault(str(count), []).append(row)
        return {'counts': list(counts), 'within': within, 'runs': rows}

    def scenario_pressure(self):
        """The budget under pressure (it binds), the same tasks with a budget that does not, and a serial uri loop."""
        tasks = 10 if self.quick else PRESSURE_TASKS
        ends = harness.task_ends_between(tasks, PRESSURE_ENDS[0], PRESSURE_ENDS[1], SEED)
        ids = ['bench-%04d' % index for index in range(tasks)]
        wait = {'bench_task_ids': ids, 'bench_poll_interval': PRESSURE_POLL, 'bench_max_poll_interval': PRESSURE_MAX_POLL}
        jobs = [('wait', 'wait.yml', dict(wait, bench_budget=DEFAULT_BUDGET), RATE),
                ('wait_free', 'wait.yml', dict(wait, bench_budget=FREE_BUDGET), None),
                ('uri', 'uri_until.yml', {'bench_task_ids': ids, 'bench_delay': PRESSURE_POLL}, None)]

        def one(job):
            contender, playbook, variables, rate_limit = job
            simulator = self.simulator()
            try:
                row = self.measure(simulator, playbook, ends, variables, rate_limit=rate_limit)
            finally:
                simulator.stop()
            row['budget'], row['rate_limit'] = variables.get('bench_budget'), rate_limit
            return contender, row

        with concurrent.futures.ThreadPoolExecutor(len(jobs)) as pool:
            rows = dict(pool.map(one, jobs))
        return {'tasks': tasks, 'ends': list(PRESSURE_ENDS), 'poll_interval': PRESSURE_POLL,
                'max_poll_interval': PRESSURE_MAX_POLL, 'rate': RATE, 'budget': DEFAULT_BUDGET, 'free_budget': FREE_BUDGET,
                'runs': rows}

    def scenario_jobs(self):
        """Three jobs that share one FMC: the budget in each job's own files, then in one Redis (skipped without one)."""
        return Jobs(self).run()

    def scenario_events(self):
        """The fmc_events source: how soon an event follows a job's end, and its request rate when nothing changes."""
        return Events(self).run()

    def scenario_forks(self):
        fork_counts = (1, 2) if self.quick else FORK_COUNTS
        tasks = 8 if self.quick else FORK_TASKS
        within = 6.0 if self.quick else WITHIN
        ends = harness.task_ends(tasks, within, SEED)

        def one(forks):
            simulator = self.simulator()
            hosts = {}
            for index in range(tasks):
                host = 'fork%02d' % (index % forks + 1)
                hosts.setdefault(host, {'bench_task_ids': []})['bench_task_ids'].append('bench-%04d' % index)
            try:
                # Every task polled every 5 s asks for far more than the server allows: the shared budget must hold the forks back.
                row = self.measure(simulator, 'wait.yml', ends, {'bench_poll_interval': POLL, 'bench_max_poll_interval': POLL},
                                   hosts=hosts, forks=forks, rate_limit=RATE)
            finally:
                simulator.stop()
            row['forks'] = forks
            row['lower_bound'] = row['requests'] / (RATE / 60.0)
            return row

        with concurrent.futures.ThreadPoolExecutor(len(fork_counts)) as pool:
            rows = list(pool.map(one, fork_counts))
        return {'rate': RATE, 'budget': DEFAULT_BUDGET, 'tasks': tasks, 'within': within, 'poll_interval': POLL, 'runs': rows}


def _count_in(path, text):
    with open(path) as handle:
        return handle.read().count(text)


class Jobs:
    """Scenario 6: ``jobs`` ansible-playbook runs at once against one simulator, each waiting on its share of the
    tasks with a TMPDIR of its own; the budget in each job's files, or in one Redis through CDFMC_BUDGET_URL."""

    def __init__(self, suite):
        self.suite = suite
        self.tasks = 2 if suite.quick else JOB_TASKS
        self.ends = harness.task_ends_between(JOBS * self.tasks, *((2.0, 4.0) if suite.quick else JOB_ENDS), seed=SEED)

    def run(self):
        missing = harness.redis_missing()
        if missing:
            if os.environ.get('CDFMC_REQUIRE_REDIS') == '1':
                raise RuntimeError('CDFMC_REQUIRE_REDIS=1 but %s' % missing)
            return {'skipped': missing}
        rows = {'file': self.store(None)}
        server = harness.start_redis(self.suite.runner.collections_path, tempfile.mkdtemp(prefix='redis-', dir=self.suite.work_dir))
        try:
            rows['redis'] = self.store(server.url(), server.admin())
        finally:
            server.kill()
        return {'jobs': JOBS, 'tasks': self.tasks, 'ends': [min(self.ends), max(self.ends)], 'rate': RATE,
                'budget': DEFAULT_BUDGET, 'poll_interval': PRESSURE_POLL, 'max_poll_interval': PRESSURE_MAX_POLL, 'runs': rows}

    def store(self, budget_url, admin=None):
        """The jobs with one store; then what a job costs with it whatever it waits for: the same jobs on one task
        each that has already ended (one request each). ``admin``: a client of the Redis, to count the scripts run."""
        row = self.variant(budget_url, self.ends)
        if admin is not None:
            stats = admin.info('commandstats')
            row['store_calls'] = sum(stats.get('cmdstat_%s' % name, {}).get('calls', 0) for name in ('evalsha', 'eval'))
        fixed = self.variant(budget_url, [0.0] * JOBS)
        row['fixed'] = dict((key, fixed[key]) for key in ('rc', 'cpu', 'cpu_main', 'cpu_workers', 'requests', 'rate_limited'))
        return row

    def variant(self, budget_url, ends):
        """The jobs at once on a fresh simulator, on ``ends`` (an equal share each); the store is the Redis at
        ``budget_url``, or each job's files (None)."""
        simulator = self.suite.simulator()
        environment = {'CDFMC_BUDGET_URL': budget_url} if budget_url else None
        ids, share = ['jobs-%04d' % index for index in range(len(ends))], len(ends) // JOBS
        try:
            simulator.load(harness.task_scenario(ends, prefix='jobs', rate_limit=RATE))
            with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
                runs = list(pool.map(lambda job: self.suite.runner.run('wait.yml', simulator, {
                    'bench_task_ids': ids[job * share:(job + 1) * share], 'bench_poll_interval': PRESSURE_POLL,
                    'bench_max_poll_interval': PRESSURE_MAX_POLL}, environment=environment), range(JOBS)))
            log = simulator.requests()
        finally:
            simulator.stop()
        for run in runs:
            if run.rc != 0:
                print('    a job failed (rc %d); see %s' % (run.rc, run.log_file), flush=True)
        row = self.figures(runs, log, simulator.loaded_at, ids, ends)
        # A job that could not use the shared store says so once, and goes on with its own files.
        row['store_warnings'] = sum(_count_in(run.log_file, 'cannot be used') for run in runs)
        return row

    @staticmethod
    def figures(runs, log, loaded_at, ids, ends):
        polls = harness.task_requests(log, 'jobs', answered=True)
        end_of = dict(zip(ids, ends))
        latencies = harness.detection_latencies(polls, end_of)
        return {
            'rc': [run.rc for run in runs],
            'cpu': sum(run.cpu for run in runs), 'cpu_main': sum(run.main_cpu for run in runs),
            'cpu_workers': sum(run.cpu - run.main_cpu for run in runs),
            'wall': max(run.ended for run in runs) - min(run.started for run in runs),
            'overshoot': max(run.ended for run in runs) - (loaded_at + max(ends)),
            'requests': len(log), 'rate_limited': harness.rate_limited(log), 'max_in_60s': harness.max_in_window(log),
            'per_task': [{'id': task_id, 'end': end_of[task_id], 'polls': polls.get(task_id, []), 'latency': latencies[task_id],
                          'gap': harness.gap_in_force(polls.get(task_id, []), end_of[task_id]),
                          'longest_gap': harness.longest_gap(polls.get(task_id, []), end_of[task_id])}
                         for task_id in ids],
        }


class Events:
    """Scenario 7: the installed fmc_events source run as ansible-rulebook runs it (benchmarks/event_source.py, a process
    of its own), against a simulator of its own per run, three runs side by side: deployments that end at known times,
    then nothing changing with kinds [deployment], and with kinds [deployment, pending]."""

    def __init__(self, suite):
        self.suite = suite
        self.count = 2 if suite.quick else EVENT_JOBS
        self.poll = 1.0 if suite.quick else None  # None: the source's default, EVENT_POLL
        self.steady = 20.0 if suite.quick else EVENT_STEADY
        ends = harness.task_ends_between(self.count, *((3.0, 5.0) if suite.quick else EVENT_ENDS), seed=SEED)
        durations = ((0.2, 0.5), (1.0, 2.0)) if suite.quick else EVENT_DURATIONS
        rand = random.Random(SEED)
        # (device index, start, end): the even jobs run when the source starts, the odd ones start later.
        self.jobs = [(index, 0.0 if index % 2 == 0 else round(max(0.0, end - rand.uniform(*durations[index // 2 % 2])), 3), end)
                     for index, end in enumerate(ends)]

    def run(self):
        runs = {'latency': self.latency, 'deployment': lambda: self.quiet(['deployment']),
                'pending': lambda: self.quiet(['deployment', 'pending'])}
        with concurrent.futures.ThreadPoolExecutor(len(runs)) as pool:
            futures = dict((name, pool.submit(function)) for name, function in runs.items())
            rows = dict((name, future.result()) for name, future in futures.items())
        return {'jobs': self.count, 'ends': [min(end for _i, _s, end in self.jobs), max(end for _i, _s, end in self.jobs)],
                'poll_interval': self.poll or EVENT_POLL, 'default_poll_interval': EVENT_POLL, 'budget': DEFAULT_BUDGET,
                'steady_seconds': self.steady, 'runs': rows}

    def source(self, name, scenario, kinds, poll, seconds):
        """One source on a fresh simulator: (its figures, the request log, the load on the simulator's clock)."""
        simulator = self.suite.simulator()
        args = {'base_url': simulator.url, 'api_token': harness.TOKEN, 'ca_path': simulator.ca_file, 'kinds': kinds}
        if poll is not None:
            args['poll_interval'] = poll
        try:
            simulator.load(scenario)
            figures = harness.run_event_source(self.suite.runner.collections_path, args, seconds,
                                               tempfile.mkdtemp(prefix='events-%s-' % name, dir=self.suite.work_dir))
            log = simulator.requests()
        finally:
            simulator.stop()
        # The request log's times are the simulator's monotonic clock, the one the event source stamps with.
        loaded = log[0]['time'] - log[0]['since_load'] if log else simulator.loaded_at
        return figures, log, loaded

    def latency(self):
        poll = self.poll or EVENT_POLL
        seconds = max(end for _index, _start, end in self.jobs) + poll + (2 if self.suite.quick else 5)
        figures, log, loaded = self.source('latency', harness.event_scenario(self.count, self.jobs), ['deployment'],
                                           self.poll, seconds)
        polls = sorted(entry['since_load'] for entry in log if harness.JOBS_PATH in entry['path'])
        ids = [arrival['event']['cdfmc']['id'] for arrival in figures['events']]
        per_job = event_latencies(self.jobs, figures['events'], loaded, polls)
        latencies = [job['latency'] for job in per_job if job['latency'] is not None]
        return dict(self.common(figures, log), kinds=['deployment'], poll_interval=poll, seconds=seconds, per_job=per_job,
                    duplicates=len(ids) - len(set(ids)), polls=len(polls), seen=len(latencies),
                    latency_max=max(latencies or [None]), latency_p90=harness.percentile(latencies, 0.9),
                    latency_median=harness.percentile(latencies, 0.5),
                    never_seen_running=sum(1 for job in per_job if not job['seen_running']))

    def quiet(self, kinds):
        """Nothing changes: the requests a minute once the first poll is out."""
        figures, log, _loaded = self.source('-'.join(kinds), harness.event_scenario(self.count), kinds, None, self.steady)
        times = sorted(entry['since_load'] for entry in log)
        paths = {}
        for entry in log:
            paths[entry['path'].rsplit('/', 1)[-1]] = paths.get(entry['path'].rsplit('/', 1)[-1], 0) + 1
        return dict(self.common(figures, log), kinds=kinds, poll_interval=EVENT_POLL, seconds=self.steady, paths=paths,
                    steady_rate=harness.steady_request_rate(times, EVENT_POLL))

    @staticmethod
    def common(figures, log):
        ran = figures['stopped'] - figures['started']
        return {'requests': len(log), 'rate_limited': harness.rate_limited(log), 'max_in_60s': harness.max_in_window(log),
                'events': len(figures['events']), 'warnings': figures['warnings'], 'cpu': figures['cpu'],
                'cpu_per_minute': figures['cpu'] * 60.0 / ran, 'ran': ran, 'cancel_seconds': figures['cancel_seconds'],
                'ended': figures['ended']}


def event_latencies(jobs, arrivals, loaded, polls):
    """Per job (device index, start, end): when its job event was put (seconds since the load), its latency, the poll
    that saw it ended, the gap in force, and whether a poll saw it running. ``polls``: job history reads, sorted."""
    put = {}
    for arrival in arrivals:
        event = arrival['event']['cdfmc']
        if 'device' not in event:  # the job's event (then one per device)
            for device in event['devices']:
                put.setdefault(device['id'], arrival['at'] - loaded)
    rows = []
    for index, start, end in jobs:
        at, seen = put.get('ev-%02d' % index), [poll for poll in polls if poll >= end]
        rows.append({'device': 'ev-%02d' % index, 'start': start, 'end': end, 'put': at,
                     'latency': None if at is None else at - end, 'seen_by': seen[0] - end if seen else None,
                     'put_after_poll': None if at is None or not seen else at - seen[0],
                     'gap': harness.gap_in_force(polls, end), 'seen_running': any(start <= poll < end for poll in polls)})
    return rows


def machine():
    def output(command):
        try:
            return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return ''

    model = ''
    try:
        with open('/proc/cpuinfo') as handle:
            for line in handle:
                if line.startswith('model name'):
                    model = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        'cpus': os.cpu_count(),
        'cpu_model': model,
        'python': platform.python_version(),
        'ansible_core': output([os.path.join(os.path.dirname(sys.executable), 'ansible'), '--version']).splitlines()[0:1],
        'commit': output(['git', '-C', harness.ROOT, 'rev-parse', '--short', 'HEAD']),
        'dirty': bool(output(['git', '-C', harness.ROOT, 'status', '--porcelain', '--', 'plugins'])),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--collections-path', help='where cisco.cdfmc is installed (ansible_collections/ below it)')
    parser.add_argument('--out', help='where benchmarks.md and benchmarks/ go (default: docs/, or a new temporary '
                        'directory with --quick, so that a check never replaces the published figures)')
    parser.add_argument('--quick', action='store_true', help='small and short runs: checks the suite, not figures to publish')
    parser.add_argument('--keep', action='store_true', help='keep the work directory (playbook logs, simulator logs)')
    parser.add_argument('--from-results', metavar='FILE', help='only write the report again from a results.json')
    parser.add_argument('--only', nargs='+', metavar='SCENARIO', choices=SCENARIOS, help='run only these scenarios and print '
                        'their figures (%s); writes no report' % ', '.join(SCENARIOS))
    args = parser.parse_args(argv)
    if not args.out:
        args.out = tempfile.mkdtemp(prefix='cdfmc-bench-quick-') if args.quick else os.path.join(harness.ROOT, 'docs')
    if args.from_results:
        with open(args.from_results) as handle:
            results = json.load(handle)
        print('==> wrote %s' % report.write(results, args.out))
        return 0
    if not args.collections_path:
        parser.error('--collections-path is required (scripts/bench passes it)')

    work_dir = harness.make_work_dir()
    suite = Suite(os.path.abspath(args.collections_path), work_dir, args.quick)
    started = time.monotonic()
    results = {'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
               'machine': machine(), 'quick': args.quick}
    for name in SCENARIOS:
        if args.only and name not in args.only:
            continue
        scenario = getattr(suite, 'scenario_' + name)
        print('==> scenario %s' % name, flush=True)
        scenario_started = time.monotonic()
        results[name] = scenario()
        results[name]['seconds'] = time.monotonic() - scenario_started
        print('    %.0f s' % results[name]['seconds'], flush=True)
    results['seconds'] = time.monotonic() - started
    if args.only:
        print(json.dumps(report.summary(results), indent=1, sort_keys=True))
        return 0
    path = report.write(results, args.out)
    print('==> wrote %s in %.0f s (work directory %s)' % (path, results['seconds'], work_dir), flush=True)
    if not args.keep:
        import shutil
        shutil.rmtree(work_dir, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
