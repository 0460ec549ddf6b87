# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Figures, goals, plots and docs/benchmarks.md from the results of one run of the suite."""

import json
import os
import statistics

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402 - after choosing the backend

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_POLL, DEFAULT_MAX_POLL, GROWTH, JITTER = 5.0, 30.0, 1.5, 0.2
MB = 1024.0 * 1024.0


def implied_polls(seconds, poll_interval=DEFAULT_POLL, max_poll_interval=DEFAULT_MAX_POLL, shortest=1.0):
    """Polls the schedule implies for a task that ends ``seconds`` after its first poll, the poll
    that sees the end included. ``shortest`` scales each gap (1 - JITTER: the most polls jitter allows)."""
    at, base, polls = 0.0, None, 1
    while at < seconds:
        base = poll_interval if base is None else min(base * GROWTH, max_poll_interval)
        at += max(poll_interval, base * shortest)
        polls += 1
    return polls


def cpu_figures(row, baseline, imports):
    """CPU beyond an empty play, and the task's own work: its workers and modules, plus loading its action
    plugin in ansible-playbook's process (``imports``)."""
    row['cpu_beyond_empty'] = row['cpu'] - baseline['empty_cpu']
    row['cpu_own'] = row['cpu_workers'] + imports
    row['cpu_per_request'] = row['cpu_own'] / row['requests'] if row['requests'] else None


def memory_figures(row, baseline):
    pause = baseline['pause'][str(baseline['long_pause'])]['memory']
    if row.get('memory') and pause:
        row['uss_marginal_mb'] = (row['memory']['worker_uss_max'] - pause['worker_uss_max']) / MB
        row['pss_marginal_mb'] = (row['memory']['worker_pss_max'] - pause['worker_pss_max']) / MB
        row['rss_mb'] = row['memory']['worker_rss_max'] / MB


def schedule_figures(row, poll_interval=DEFAULT_POLL, max_poll_interval=DEFAULT_MAX_POLL):
    """Requests per task against the schedule, and when the end was noticed against the gap in force."""
    over, actual, nominal, within_gap = 0, [], [], 0
    latencies = []
    last = None
    for task in row['per_task']:
        polls = task['polls']
        if not polls:
            continue
        seconds = task['end'] - polls[0]
        # The most polls the schedule allows: one every poll_interval (while the budget has room; never shorter).
        most = implied_polls(seconds, poll_interval, poll_interval)
        over += len(polls) > most
        actual.append(len(polls))
        nominal.append(implied_polls(seconds, poll_interval, max_poll_interval))
        if task['latency'] is not None:
            latencies.append(task['latency'])
            if task['gap'] is None or task['latency'] <= task['gap'] + 0.5:
                within_gap += 1
            noticed = task['end'] + task['latency']
            if last is None or noticed > last[0]:
                last = (noticed, task)
    row['polls_over_schedule'] = over
    row['polls_mean'] = statistics.mean(actual) if actual else None
    row['polls_nominal_mean'] = statistics.mean(nominal) if nominal else None
    row['noticed_within_gap'] = within_gap
    gaps = [task['gap'] for task in row['per_task'] if task['gap'] is not None]
    row['gap_max'] = max(gaps) if gaps else None
    row['latency_median'] = statistics.median(latencies) if latencies else None
    row['latency_max'] = max(latencies) if latencies else None
    if last is not None:
        # The task noticed last ends the wait: the play's end after that task's end, against its gap in force.
        task = last[1]
        row['last_noticed_overshoot'] = row['overshoot'] + max(t['end'] for t in row['per_task']) - task['end']
        # Seen at the wait's first look: no gap was in force; the wait could not have seen it sooner.
        row['last_noticed_gap'] = task['gap'] if task['gap'] is not None else task['latency']


CONTENDERS = (
    ('wait', 'wait (default schedule)'),
    ('wait_fixed', 'wait (fixed 5 s)'),
    ('wait_redis', 'wait (default schedule), the budget in Redis'),
    ('uri', 'uri + until'),
    ('wait_relaxed', 'wait (default schedule), relaxed ansible'),
    ('uri_relaxed', 'uri + until, relaxed ansible'),
)


def analyse(results):
    one = results['one_task']
    imports = one['imports']
    for label, rows in one['runs'].items():
        for contender in ('wait', 'uri'):
            cpu_figures(rows[contender], rows['baseline'], imports[contender])
        memory_figures(rows['wait'], rows['baseline'])
        schedule_figures(rows['wait'], one['poll_interval'], one['poll_interval'])
    many = results['many_tasks']
    for count, rows in many['runs'].items():
        for contender, row in rows.items():
            baseline = one['runs']['relaxed' if contender.endswith('_relaxed') else 'default']['baseline']
            cpu_figures(row, baseline, imports['wait' if contender.startswith('wait') else 'uri'])
            if contender.startswith('wait'):
                memory_figures(row, baseline)
                if contender == 'wait_fixed':
                    schedule_figures(row, many['poll_interval'], many['poll_interval'])
                else:
                    schedule_figures(row)
    for row in results['forks']['runs']:
        cpu_figures(row, one['runs']['default']['baseline'], imports['wait'])
        schedule_figures(row, results['forks']['poll_interval'], results['forks']['poll_interval'])
        row['fair_gap'] = fair_gap(results['forks']['tasks'], results['forks']['budget'])
    pressure = results['pressure']
    for contender, row in pressure['runs'].items():
        if contender.startswith('wait'):
            schedule_figures(row, pressure['poll_interval'], pressure['max_poll_interval'])
    for runs in results['latency']['runs'].values():
        for run in runs:
            run['rate'] = run['requests'] * 60.0 / run['wall']
    for row in results.get('jobs', {}).get('runs', {}).values():
        jobs_figures(row)
    return results


def jobs_figures(row):
    """Scenario 6, one store: tasks seen ended, the longest gap between two polls of a task, CPU per request."""
    tasks = row['per_task']
    row['seen'] = sum(1 for task in tasks if task['latency'] is not None)
    row['longest_gap'] = max([task['longest_gap'] for task in tasks if task['longest_gap'] is not None] or [0])
    row['latency_max'] = max([task['latency'] for task in tasks if task['latency'] is not None] or [0])
    # The jobs' own work (their workers) per request, and the whole ansible-playbook trees' (their 1 ms loops included).
    row['cpu_per_poll'] = row['cpu_workers'] / row['requests'] if row['requests'] else None
    row['cpu_per_poll_tree'] = row['cpu'] / row['requests'] if row['requests'] else None
    # Beyond what each job costs whatever it waits for (the same jobs on one task already ended: one request each).
    fixed = row['fixed']
    more = row['requests'] - fixed['requests']
    row['cpu_per_poll_marginal'] = (row['cpu_workers'] - fixed['cpu_workers']) / more if more > 0 else None


def fair_gap(tasks, budget):
    """The gap in force the issue calls a fair share: T tasks sharing R requests a minute, T x 60 / R seconds."""
    return tasks * 60.0 / budget


def poll_cost(results, contender):
    """CPU of one more poll: the slope of the wait's own CPU over requests from the smallest wait to the
    largest of scenario 2; the fixed cost of a wait (loading the plugin, TLS set-up) is left out."""
    many = results['many_tasks']['runs']
    counts = sorted(int(count) for count in many)
    small, large = many[str(counts[0])][contender], many[str(counts[-1])][contender]
    return (large['cpu_own'] - small['cpu_own']) / max(1, large['requests'] - small['requests'])


def _ratio(part, whole):
    return part / whole if whole else float('nan')


def _fraction(ratio):
    return '1/%.1f' % (1 / ratio) if ratio > 0 else '%.3f' % ratio


def goals(results):
    """Each goal of the issue with the figure that decides it."""
    one = results['one_task']['runs']
    many = results['many_tasks']['runs']
    rows = []
    cases = [('one task', one['default']['wait'], one['default']['uri'], one['relaxed']['wait'], one['relaxed']['uri'], 0.1)]
    forty = many.get('40') or many[str(results['many_tasks']['relaxed_count'])]
    cases.append(('%d tasks' % forty['wait']['tasks'], forty['wait'], forty['uri'], forty['wait_relaxed'], forty['uri_relaxed'], 0.05))
    for name, wait, uri, relaxed_wait, relaxed_uri, goal in cases:
        target = '<= 1/%d' % round(1 / goal)
        ratio = _ratio(wait['cpu_beyond_empty'], uri['cpu_beyond_empty'])
        rows.append(('CPU beyond an empty play, %s' % name, target, _fraction(ratio), ratio <= goal))
        ratio = _ratio(relaxed_wait['cpu_beyond_empty'], relaxed_uri['cpu_beyond_empty'])
        rows.append(('CPU beyond an empty play, %s, `internal_poll_interval = 0.05`' % name, target, _fraction(ratio), ratio <= goal))
        ratio = _ratio(wait['cpu_own'], uri['cpu_own'])
        rows.append(('The task\'s own CPU (workers, modules, loading the plugin), %s' % name, target, _fraction(ratio), ratio <= goal))
    per_poll = max(poll_cost(results, 'wait'), poll_cost(results, 'wait_fixed'))
    rows.append(('CPU per poll: each further request of a scenario 2 wait', '<= 5 ms', '%.2f ms' % (per_poll * 1000), per_poll <= 0.005))
    waits = [one['default']['wait'], one['relaxed']['wait']] + [
        row for runs in many.values() for contender, row in runs.items() if contender.startswith('wait')]
    worst = max(row['last_noticed_overshoot'] - (row['last_noticed_gap'] + 0.5) for row in waits)
    rows.append(('Overshoot beyond the gap in force + 0.5 s, worst of %d waits' % len(waits), '<= 0 s', '%+.2f s' % worst, worst <= 0))
    forks = results['forks']
    counts = ', '.join(str(row['forks']) for row in forks['runs'])
    limited = [row['rate_limited'] for row in forks['runs']]
    rows.append(('Scenario 3: HTTP 429 with %s forks' % counts, '0', ', '.join(map(str, limited)), not any(limited)))
    fair = fair_gap(forks['tasks'], forks['budget'])
    equal = [row for row in forks['runs'] if forks['tasks'] % row['forks'] == 0]
    longest = max(row['gap_max'] or 0 for row in equal)
    rows.append(('Scenario 3: longest gap in force, forks with equal shares (%s)' % ', '.join(
        str(row['forks']) for row in equal), '<= 1.25 x T x 60 / R = %.0f s' % (1.25 * fair), '%.1f s' % longest,
        longest <= 1.25 * fair))
    pressure = results['pressure']
    bound = fair_gap(pressure['tasks'], pressure['budget']) + pressure['poll_interval'] + 2
    wait, free = pressure['runs']['wait'], pressure['runs']['wait_free']
    rows.append(('Budget pressure (scenario 5): overshoot, %d tasks, budget %d, server %d/min' % (
        pressure['tasks'], pressure['budget'], pressure['rate']), '<= T x 60 / R + poll_interval + 2 s = %.0f s' % bound,
        '%.1f s' % wait['overshoot'], wait['overshoot'] <= bound))
    rows.append(('Budget pressure: HTTP 429', '0', str(wait['rate_limited']), wait['rate_limited'] == 0))
    rows.append(('The same tasks with a budget that does not bind: overshoot', '<= 2.5 s', '%.1f s' % free['overshoot'],
                 free['overshoot'] <= 2.5))
    latency = results['latency']
    for count in latency['counts']:
        runs = latency['runs'][str(count)]
        p90 = statistics.median(run['p90'] for run in runs)
        rate = statistics.median(run['steady_rate'] or 0 for run in runs)
        rows.append(('Scenario 2 at the default schedule, N = %s: detection latency p90 (median of %d runs)' % (
            count, len(runs)), '<= 10 s', '%.1f s' % p90, p90 <= 10))
        rows.append(('... with this host\'s steady request rate, once the first checks are out (budget %d a minute)'
                     % runs[0]['budget'], '<= %d a minute (half)' % (runs[0]['budget'] // 2), '%.0f a minute' % rate,
                     rate <= runs[0]['budget'] / 2.0))
    largest = many[str(max(int(count) for count in many))]
    uss = max(largest[contender]['uss_marginal_mb'] for contender in ('wait', 'wait_fixed'))
    pss = max(largest[contender]['pss_marginal_mb'] for contender in ('wait', 'wait_fixed'))
    rows.append(('Marginal memory of the %d-task wait' % largest['wait']['tasks'], '< 50 MB',
                 'USS %.1f MB, PSS %.1f MB' % (uss, pss), uss < 50 and pss < 50))
    over = sum(row['polls_over_schedule'] for runs in many.values() for contender, row in runs.items()
               if contender.startswith('wait'))
    rows.append(('Tasks polled more often than the schedule allows, one poll per poll_interval (scenario 2)', '0',
                 str(over), over == 0))
    return rows + jobs_goals(results) + events_goals(results)


JOBS_CPU_GOAL = 0.0035  # seconds of CPU per request with the budget in Redis
INFORMATION = 'information'  # a row of the goals table that is a figure to read, not a goal


def jobs_goals(results):
    """Scenario 6's goals: with the budget in Redis, no 429, every task seen, fair gaps, CPU per poll."""
    jobs = results.get('jobs')
    if jobs is None:
        return []  # results from before the scenario
    if 'skipped' in jobs:
        return [('Jobs that share one FMC (scenario 6), the budget in Redis', '-', 'skipped: %s' % jobs['skipped'], None)]
    redis, file = jobs['runs']['redis'], jobs['runs']['file']
    name = 'Jobs (scenario 6), %d x %d tasks, budget %d each, server %d/min, the budget in Redis' % (
        jobs['jobs'], jobs['tasks'], jobs['budget'], jobs['rate'])
    total = jobs['jobs'] * jobs['tasks']
    bound = 1.25 * fair_gap(total, jobs['budget'])
    return [
        (name + ': HTTP 429', '0', '%d (each job\'s files: %d)' % (redis['rate_limited'], file['rate_limited']),
         redis['rate_limited'] == 0),
        ('... tasks seen ended', '%d' % total, '%d' % redis['seen'], redis['seen'] == total),
        ('... longest gap between two polls of a task', '<= 1.25 x T x 60 / R = %.0f s' % bound,
         '%.1f s' % redis['longest_gap'], redis['longest_gap'] <= bound),
    ] + redis_poll_goal(results) + [
        ('... CPU per request of the three jobs (their workers over every request; waiting for turns included)', 'for '
         'information', '%.2f ms (each job\'s files: %.2f ms)' % (redis['cpu_per_poll'] * 1000, file['cpu_per_poll'] * 1000),
         INFORMATION),
        ('... the same, beyond the jobs\' fixed cost', 'for information', '%s ms (each job\'s files: %s ms)' % (
            _f(_ms(redis['cpu_per_poll_marginal'])), _f(_ms(file['cpu_per_poll_marginal']))), INFORMATION),
    ]


def redis_poll_goal(results):
    """CPU per poll with the budget in Redis, measured as the file store's is (scenario 2's slope), beside it."""
    runs = (results.get('many_tasks') or {}).get('runs') or {}
    if not runs or not all('wait_redis' in runs[count] for count in (min(runs, key=int), max(runs, key=int))):
        return []
    redis, file = poll_cost(results, 'wait_redis'), poll_cost(results, 'wait')
    return [('CPU per poll with the budget in Redis: each further request of a scenario 2 wait (as the file store\'s)',
             '<= %.1f ms' % (JOBS_CPU_GOAL * 1000), '%.2f ms (the file store: %.2f ms)' % (redis * 1000, file * 1000),
             redis <= JOBS_CPU_GOAL)]


def events_goals(results):
    """Scenario 7's goals: an event within poll_interval + 1 s of the job's end; every job's events once; with kinds
    [deployment] and nothing changing, at most a tenth of the budget a minute."""
    events = results.get('events')
    if events is None:
        return []  # results from before the scenario
    latency, quiet = events['runs']['latency'], events['runs']['deployment']
    bound, rate_bound = latency['poll_interval'] + 1, events['budget'] / 10.0
    expected = 2 * events['jobs']  # a job's event and its one device's
    rate = quiet['steady_rate']
    return [
        ('Events (scenario 7), %d deployments, `poll_interval` %g s: longest time from a job\'s end to its event' % (
            events['jobs'], latency['poll_interval']), '<= poll_interval + 1 s = %g s' % bound,
         '%s s (p90 %s s, median %s s)' % (
             _f(latency['latency_max'], 1), _f(latency['latency_p90'], 1), _f(latency['latency_median'], 1)),
         latency['seen'] == events['jobs'] and latency['latency_max'] <= bound),
        ('... events put (a job\'s, then its device\'s), none twice', '%d' % expected, '%d, %d twice' % (
            latency['events'], latency['duplicates']), latency['events'] == expected and latency['duplicates'] == 0),
        ('... nothing changing, `kinds: [deployment]`, `poll_interval` %g s: steady requests a minute' % quiet['poll_interval'],
         '<= 1/10 of the budget = %g' % rate_bound, _f(rate, 1), rate is not None and rate <= rate_bound),
    ]


def plot_many(results, path):
    many = results['many_tasks']
    counts = [int(count) for count in many['counts']]
    runs = many['runs']
    panels = [
        ('wall', 'wall time (s)', 1.0),
        ('overshoot', 'overshoot (s)', 1.0),
        ('requests', 'HTTP requests', 1.0),
        ('cpu_beyond_empty', 'CPU beyond an empty play (s)', 1.0),
        ('cpu_own', 'the task\'s own CPU (s)', 1.0),
    ]
    figure, grid = plt.subplots(2, 3, figsize=(15, 8.5))
    axes = [axis for row in grid for axis in row]
    for axis, (key, label, scale) in zip(axes, panels):
        for contender, style, name in (('wait', 'o-', 'cdfmc_task_wait, default schedule'),
                                       ('wait_fixed', '^-', 'cdfmc_task_wait, every 5 s'),
                                       ('uri', 's--', 'loop of uri + until, every 5 s')):
            axis.plot(counts, [runs[str(count)][contender][key] * scale for count in counts], style, label=name)
        axis.set_xscale('log')
        if key in ('requests', 'cpu_beyond_empty'):
            axis.set_yscale('log')
        elif key == 'cpu_own':
            axis.set_yscale('log')
        axis.set_xlabel('tasks (N)')
        axis.set_title(label)
        axis.grid(True, alpha=0.3)
    axes[0].legend(fontsize=8)
    axis = axes[5]
    for contender, name in (('wait', 'default schedule'), ('wait_fixed', 'every 5 s')):
        axis.plot(counts, [runs[str(count)][contender]['uss_marginal_mb'] for count in counts], 'o-', label='USS, %s' % name)
        axis.plot(counts, [runs[str(count)][contender]['pss_marginal_mb'] for count in counts], 'd:', label='PSS, %s' % name)
    axis.axhline(50, color='red', linestyle=':', label='goal: < 50 MB')
    axis.set_xscale('log')
    axis.set_xlabel('tasks (N)')
    axis.set_title('cdfmc_task_wait: marginal memory (MB)')
    axis.grid(True, alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def plot_one(results, path):
    one = results['one_task']['runs']
    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    for axis, label, title in ((axes[0], 'default', 'ansible-core defaults'), (axes[1], 'relaxed', 'internal_poll_interval = 0.05')):
        rows = one[label]
        names = ['cdfmc_task_wait', 'uri + until']
        own = [rows['wait']['cpu_own'], rows['uri']['cpu_own']]
        rest = [rows[contender]['cpu_beyond_empty'] - rows[contender]['cpu_own'] for contender in ('wait', 'uri')]
        axis.bar(names, rest, color='#bbbbbb', label='ansible-playbook itself while the task runs')
        axis.bar(names, own, bottom=rest, color=['#1f77b4', '#ff7f0e'],
                 label='the task\'s own work (workers, modules, loading the plugin)')
        axis.set_ylabel('CPU seconds beyond an empty play')
        axis.set_title('one task ending at %ss, %s' % (results['one_task']['end'], title))
        axis.legend(fontsize=8)
        axis.grid(True, axis='y', alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def plot_forks(results, path):
    runs = results['forks']['runs']
    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    labels = ['%d fork%s' % (row['forks'], 's' if row['forks'] > 1 else '') for row in runs]
    positions = range(len(runs))
    axes[0].bar([p - 0.2 for p in positions], [row['wall'] for row in runs], 0.4, label='wall time')
    axes[0].bar([p + 0.2 for p in positions], [row['lower_bound'] for row in runs], 0.4,
                label='requests / %d a minute (the server\'s limit)' % results['forks']['rate'])
    axes[0].set_xticks(list(positions), labels)
    axes[0].set_ylabel('seconds')
    axes[0].set_title('%d tasks, server limit %d requests/min' % (results['forks']['tasks'], results['forks']['rate']))
    axes[0].legend(fontsize=8)
    axes[1].bar(labels, [row['rate_limited'] for row in runs], color='#d62728')
    for position, row in enumerate(runs):
        axes[1].text(position, row['rate_limited'] + 0.1, str(row['rate_limited']), ha='center')
    axes[1].set_ylim(0, max([5] + [row['rate_limited'] + 1 for row in runs]))
    axes[1].set_title('HTTP 429 answers (goal: 0)')
    for axis in axes:
        axis.grid(True, axis='y', alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def plot_latency(results, path):
    tasks = [task for rows in results['many_tasks']['runs'].values() for task in rows['wait']['per_task']
             if task['latency'] is not None]
    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    axes[0].hist([task['latency'] for task in tasks], bins=40, color='#1f77b4')
    axes[0].set_xlabel('seconds from a task\'s end to the poll that saw it')
    axes[0].set_ylabel('tasks')
    axes[0].set_title('detection latency, default poll settings (%d tasks)' % len(tasks))
    gaps = [task['gap'] for task in tasks if task['gap'] is not None]
    axes[1].scatter([task['gap'] for task in tasks if task['gap'] is not None],
                    [task['latency'] for task in tasks if task['gap'] is not None], s=8, alpha=0.5)
    if gaps:
        axes[1].plot([0, max(gaps)], [0, max(gaps)], 'r:', label='latency = gap (ended just after the previous poll)')
        axes[1].axvline(DEFAULT_MAX_POLL * (1 + JITTER), color='grey', linestyle='--',
                        label='longest gap the schedule allows (%g s)' % (DEFAULT_MAX_POLL * (1 + JITTER)))
    axes[1].set_xlabel('poll gap in force (s)')
    axes[1].set_ylabel('detection latency (s)')
    axes[1].set_title('latency against the gap in force')
    axes[1].legend(fontsize=8)
    for axis in axes:
        axis.grid(True, alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def plot_pressure(results, path):
    pressure = results['pressure']
    runs = pressure['runs']
    figure, axes = plt.subplots(1, 2, figsize=(13, 4.5))
    names = [('wait', 'wait, budget %d,\nserver %d/min' % (pressure['budget'], pressure['rate'])),
             ('wait_free', 'wait, budget %d\n(does not bind)' % pressure['free_budget']),
             ('uri', 'serial uri + until\n(delay %g s)' % pressure['poll_interval'])]
    axes[0].bar([name for _key, name in names], [runs[key]['overshoot'] for key, _name in names],
                color=['#1f77b4', '#2ca02c', '#ff7f0e'])
    bound = fair_gap(pressure['tasks'], pressure['budget']) + pressure['poll_interval'] + 2
    axes[0].axhline(bound, color='red', linestyle=':', label='goal under pressure: T x 60 / R + poll_interval + 2 s')
    axes[0].axhline(2.5, color='green', linestyle=':', label='goal without pressure: 2.5 s')
    axes[0].set_ylabel('overshoot (s)')
    axes[0].tick_params(axis='x', labelsize=8)
    axes[0].set_title('%d tasks ending %g-%g s: overshoot' % (pressure['tasks'], pressure['ends'][0], pressure['ends'][1]))
    axes[0].legend(fontsize=8)
    times = sorted(at for task in runs['wait']['per_task'] for at in task['polls'])
    width = 5.0
    bins = [width * index for index in range(int(max(times or [0]) // width) + 2)]
    axes[1].hist(times, bins=bins, color='#1f77b4', label='task polls of the wait under pressure')
    axes[1].axhline(pressure['rate'] * width / 60.0, color='red', linestyle=':',
                    label='the server\'s limit, spread evenly (%d a minute)' % pressure['rate'])
    axes[1].axhline(pressure['budget'] * width / 60.0, color='grey', linestyle='--',
                    label='the budget, spread evenly (%d a minute)' % pressure['budget'])
    axes[1].set_xlabel('seconds since the scenario started')
    axes[1].set_ylabel('requests per %g s' % width)
    axes[1].set_title('an even pace after a small burst, never a minute\'s worth at once')
    axes[1].legend(fontsize=8, loc='lower right')
    for axis in axes:
        axis.grid(True, axis='y', alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def _f(value, digits=2):
    return '-' if value is None else '%.*f' % (digits, value)


def markdown(results, goal_rows):
    one, many, forks = results['one_task'], results['many_tasks'], results['forks']
    machine = results['machine']
    lines = [
        '# Benchmarks: cdfmc_task_wait against uri + until',
        '',
        '<!-- Generated by ./scripts/bench (benchmarks/run.py); edit benchmarks/report.py or benchmarks/fixes.md instead. -->',
        '',
        'Measured on %s: %s CPU(s) (%s), Python %s, %s, collection at commit %s%s. The whole suite took %.1f minutes.%s' % (
            results['date'], machine['cpus'], machine['cpu_model'] or 'unknown model', machine['python'],
            (machine['ansible_core'] or ['ansible-core'])[0].replace('[', '').replace(']', ''),
            machine['commit'], ' with local changes to plugins/' if machine['dirty'] else '', results['seconds'] / 60,
            ' **Quick mode: small runs that check the suite; not figures to quote.**' if results['quick'] else ''),
        '',
        'Every figure comes from real `ansible-playbook` runs against the bundled simulator (HTTPS on 127.0.0.1), '
        'both contenders in the same run of the suite. Reproduce with `./scripts/bench` (see [How it measures](#how-it-measures)).',
        '',
        '## Goals',
        '',
        '| Goal | Target | Measured | Met |',
        '|---|---|---|---|',
    ]
    for name, target, measured, met in goal_rows:
        verdict = 'skipped' if met is None else '-' if met == INFORMATION else 'yes' if met else '**no**'
        lines.append('| %s | %s | %s | %s |' % (name, target, measured, verdict))
    lines += ['', open(os.path.join(HERE, 'goals.md')).read().strip(), '']

    lines += [
        '## 1. One task ending at %gs' % one['end'],
        '',
        'One deployment task that ends %gs after the scenario starts. `cdfmc_task_wait` with `poll_interval` and '
        '`max_poll_interval` both %gs against `ansible.builtin.uri` with `until`, `delay: %g`. CPU is the whole '
        '`ansible-playbook` process tree (its workers and the modules they run), in seconds.' % (one['end'], one['poll_interval'], one['poll_interval']),
        '',
        '![CPU for one task](benchmarks/one_task.png)',
        '',
    ]
    relaxed_title = '`internal_poll_interval = %s` in ansible.cfg' % one['relaxed']['internal_poll_interval']
    for label, title in (('default', 'ansible-core defaults'), ('relaxed', relaxed_title)):
        rows = one['runs'][label]
        base = rows['baseline']
        lines += [
            '**%s.** An empty play takes %.2f s of CPU; a play whose one task only sleeps costs %.2f s plus %.1f ms per second it runs '
            '(ansible-playbook checking on its worker).' % (title, base['empty_cpu'], base['idle_a'], base['idle_b'] * 1000),
            '',
            'The task\'s own work is the CPU of the worker and the modules it ran, plus loading the action plugin in '
            'ansible-playbook\'s own process (%.0f ms for `cdfmc_task_wait` with requests, %.0f ms for `uri`, from Python\'s '
            'import log in a separate run).' % (results['one_task']['imports']['wait'] * 1000, results['one_task']['imports']['uri'] * 1000),
            '',
            '| | CPU | of which ansible-playbook itself | of which workers and modules | beyond an empty play | the task\'s own work '
            '| requests | overshoot | wall |',
            '|---|---|---|---|---|---|---|---|---|',
        ]
        for contender, name in (('wait', '`cdfmc_task_wait`'), ('uri', '`uri` + `until`')):
            row = rows[contender]
            lines.append('| %s | %.2f s | %.2f s | %.2f s | %.2f s | %.2f s | %d | %.2f s | %.1f s |' % (
                name, row['cpu'], row['cpu_main'], row['cpu_workers'], row['cpu_beyond_empty'], row['cpu_own'],
                row['requests'], row['overshoot'], row['wall']))
        lines.append('| wait ÷ uri | | | | %.3f (1/%.1f) | %.3f (1/%.1f) | | | |' % (
            _ratio(rows['wait']['cpu_beyond_empty'], rows['uri']['cpu_beyond_empty']),
            1 / _ratio(rows['wait']['cpu_beyond_empty'], rows['uri']['cpu_beyond_empty']),
            _ratio(rows['wait']['cpu_own'], rows['uri']['cpu_own']),
            1 / _ratio(rows['wait']['cpu_own'], rows['uri']['cpu_own'])))
        lines.append('')

    lines += [
        '## 2. N tasks ending at random times within %gs' % many['within'],
        '',
        'End times are uniform in (0.5 s, %g s] (seed %s). One `cdfmc_task_wait` call, at its default schedule '
        '(%g s growing ×1.5 to %g s, ±20%% jitter) and at a fixed %g s, against a `loop:` of `uri` + `until` with '
        '`delay: %g`. No rate limit on the simulator; the wait\'s `max_requests_per_minute` is raised to %s a minute '
        '(15 per task, at least the default 100). For %d tasks both are also run with `internal_poll_interval = %s`. '
        'Every wait ran at the same time, then every uri loop did, each against its own simulator. The smallest and the '
        'largest waits at the default schedule also ran with the budget in a redis-server of the bench\'s own '
        '(`budget_url`), for its CPU per poll.' % (
            many['within'], many['seed'], DEFAULT_POLL, DEFAULT_MAX_POLL, many['poll_interval'], many['poll_interval'],
            ', '.join('%s for %s' % (many['budgets'][str(count)], count) for count in many['counts']),
            many['relaxed_count'], many['relaxed']['internal_poll_interval']),
        '',
        '![Scenario 2 against N](benchmarks/many_tasks.png)',
        '',
        '| N | contender | wall | overshoot | requests | per task | CPU | ansible-playbook itself | workers, modules | beyond empty '
        '| own work | CPU ÷ uri (beyond empty) | marginal USS / PSS |',
        '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ]
    for count in many['counts']:
        rows = many['runs'][str(count)]
        for contender, name in CONTENDERS:
            if contender not in rows:
                continue
            row = rows[contender]
            uri = rows['uri_relaxed' if contender.endswith('_relaxed') else 'uri']
            ratio = _ratio(row['cpu_beyond_empty'], uri['cpu_beyond_empty']) if contender.startswith('wait') else None
            lines.append('| %s | %s | %.1f s | %.1f s | %d | %.1f | %.2f s | %.2f s | %.2f s | %.2f s | %.2f s | %s | %s |' % (
                count, name, row['wall'], row['overshoot'], row['requests'], row['requests'] / float(count),
                row['cpu'], row['cpu_main'], row['cpu_workers'], row['cpu_beyond_empty'], row['cpu_own'],
                _fraction(ratio) if ratio else '', '%.1f / %.1f MB' % (row['uss_marginal_mb'], row['pss_marginal_mb'])
                if row.get('uss_marginal_mb') is not None else ''))
    lines += ['', 'Requests per task against the schedule (the waits):', '',
              '| N | schedule | mean polls per task | mean the schedule implies (no jitter) | tasks over the most jitter allows |',
              '|---|---|---|---|---|']
    for count in many['counts']:
        for contender, name in (('wait', 'default'), ('wait_fixed', 'fixed %g s' % many['poll_interval'])):
            row = many['runs'][str(count)][contender]
            lines.append('| %s | %s | %.2f | %.2f | %d |' % (count, name, row['polls_mean'], row['polls_nominal_mean'], row['polls_over_schedule']))
    lines.append('')

    lines += [
        '## 3. A rate-limited server: %d tasks from 1 to %d forks' % (forks['tasks'], max(row['forks'] for row in forks['runs'])),
        '',
        'The simulator allows %d requests in any 60 s and answers 429 beyond; the forks share the default budget of %d '
        'requests a minute. Each fork (an inventory host) waits on its share of the %d tasks (ending within %g s), polling '
        'each every %g s: together they ask for far more than the server allows, so the budget has to hold them back. '
        'The lower bound is the issue\'s requests ÷ the server\'s rate; the budget (%d a minute) spreads them a little '
        'slower than that. The three runs ran at once, each against its own simulator.' % (
            forks['rate'], forks['budget'], forks['tasks'], forks['within'], forks['poll_interval'], forks['budget']),
        '',
        '![Scenario 3](benchmarks/forks.png)',
        '',
        '| forks | requests | HTTP 429 | most in any 60 s (server) | wall | requests ÷ %d/min | wall ÷ that | longest gap in force '
        '| longest detection latency |' % forks['rate'],
        '|---|---|---|---|---|---|---|---|---|',
    ]
    for row in forks['runs']:
        lines.append('| %d | %d | %d | %d | %.1f s | %.1f s | %.2f | %.1f s | %.1f s |' % (
            row['forks'], row['requests'], row['rate_limited'], row['max_in_60s'], row['wall'], row['lower_bound'],
            _ratio(row['wall'], row['lower_bound']), row['gap_max'] or 0, row['latency_max'] or 0))
    lines += ['', 'The budget keeps the forks to %d requests in any 60 s, and spreads them: a burst of %d, then one request '
              'every %.2f s, in the order the forks asked for them (tickets), each fork\'s tasks in the order they were '
              'last polled. So every task gets its turn about every T x 60 / R = %d x 60 / %d = %.0f s however many forks '
              'share the budget (the goal allows a quarter more); the budget\'s margin for network delay (a request counts '
              'for 61 s) makes the pace a little slower than R.' % (
                  forks['budget'], max(1, forks['budget'] // 20), 61.0 / (forks['budget'] - max(1, forks['budget'] // 20)),
                  forks['tasks'], forks['budget'], fair_gap(forks['tasks'], forks['budget'])), '']

    tasks = [task for rows in many['runs'].values() for task in rows['wait']['per_task'] if task['latency'] is not None]
    latencies = sorted(task['latency'] for task in tasks)
    gaps = [task['gap'] for task in tasks if task['gap'] is not None]
    latency = results['latency']
    lines += [
        '## 4. Detection latency at the default poll settings',
        '',
        'Seconds from a task\'s end on the server to the first request that saw it ended, over every task of the '
        'scenario 2 waits at the default schedule (%d tasks, all ending within %g s). Median %.2f s, 90th percentile %.2f s, '
        'maximum %.2f s. A task is seen at the first poll after its end, so its latency is below the gap in force by '
        'construction; what the schedule bounds is the gap it plans: every %g s (`poll_interval`) while this host\'s '
        'requests use less than half the budget, growing toward %g s (`max_poll_interval`, jitter included) above it. '
        'The longest gap in force was %.1f s; with 500 tasks the budget itself spaces the polls (scenario 3).' % (
            len(latencies), many['within'], statistics.median(latencies), latencies[int(0.9 * (len(latencies) - 1))],
            latencies[-1], DEFAULT_POLL, DEFAULT_MAX_POLL, max(gaps) if gaps else 0),
        '',
        '![Detection latency](benchmarks/latency.png)',
        '',
        'The small waits (N = %s) again, %d runs each side by side, each against its own simulator: the 90th percentile '
        'of each run, and this host\'s request rate against half its budget. Every task\'s first check is due at once, '
        'so the steady rate counts the polls after the first checks, from the last first check to the end; the most in '
        'any 60 s counts them all. A wait of N = 10 lasts less than a minute, so its rate over the whole wait (requests '
        'x 60 / wall) would count the first checks as a minute\'s worth.' % (
            ', '.join(map(str, latency['counts'])), max(len(runs) for runs in latency['runs'].values())),
        '',
        '| N | budget | latency p90 per run | median of the runs | steady requests a minute | most in any 60 s |',
        '|---|---|---|---|---|---|',
    ]
    for count in latency['counts']:
        runs = latency['runs'][str(count)]
        lines.append('| %s | %d | %s | %.2f s | %s | %s |' % (
            count, runs[0]['budget'], ', '.join('%.2f s' % run['p90'] for run in runs),
            statistics.median(run['p90'] for run in runs), ', '.join('%.0f' % (run['steady_rate'] or 0) for run in runs),
            ', '.join(str(run['max_in_60s']) for run in runs)))
    lines.append('')
    pressure = results['pressure']
    wait, free, uri = pressure['runs']['wait'], pressure['runs']['wait_free'], pressure['runs']['uri']
    lines += [
        '## 5. The budget under pressure',
        '',
        '%d tasks ending at random between %g s and %g s. `cdfmc_task_wait` with `poll_interval: %g` and '
        '`max_poll_interval: %g` and the default budget of %d a minute, against a server that allows %d a minute: '
        'the tasks ask for far more than the budget, so it decides when each is polled. The same wait with a budget '
        'of %d, which does not bind (and no limit on the server), shows what the schedule alone does; a serial `loop:` '
        'of `uri` + `until` with `delay: %g` (no limit on the server either) is what playbooks do today. The three ran '
        'side by side, each against its own simulator.' % (
            pressure['tasks'], pressure['ends'][0], pressure['ends'][1], pressure['poll_interval'],
            pressure['max_poll_interval'], pressure['budget'], pressure['rate'], pressure['free_budget'],
            pressure['poll_interval']),
        '',
        '![Scenario 5](benchmarks/pressure.png)',
        '',
        '| contender | overshoot | requests | HTTP 429 | most in any 60 s | longest gap in force | wall |',
        '|---|---|---|---|---|---|---|',
    ]
    for name, row in (('wait, budget %d' % pressure['budget'], wait), ('wait, budget %d' % pressure['free_budget'], free),
                      ('uri + until', uri)):
        lines.append('| %s | %.1f s | %d | %d | %d | %s | %.1f s |' % (
            name, row['overshoot'], row['requests'], row['rate_limited'], row['max_in_60s'],
            '%.1f s' % row['gap_max'] if row.get('gap_max') is not None else '-', row['wall']))
    lines += ['', 'Under pressure, the first checks of the %d tasks go out over about %.0f s (a burst of %d, then the even '
              'pace), then each task\'s turn comes round about every T x 60 / R s, the ones polled longest ago first: the '
              'wait ends within that of the last task\'s end, the issue\'s bound (T x 60 / R + poll_interval + 2 s = %.0f s). '
              'The serial `uri` loop never pauses for a budget, so it ends sooner here, at one request every second or so '
              'and its own module per poll; with more tasks than the server allows, it meets 429s.' % (
                  pressure['tasks'], (pressure['tasks'] - max(1, pressure['budget'] // 20)) * 61.0 /
                  (pressure['budget'] - max(1, pressure['budget'] // 20)), max(1, pressure['budget'] // 20),
                  fair_gap(pressure['tasks'], pressure['budget']) + pressure['poll_interval'] + 2), '']
    lines += jobs_markdown(results)
    lines += events_markdown(results.get('events'))
    lines += [open(os.path.join(HERE, 'fixes.md')).read().strip(), '', open(os.path.join(HERE, 'method.md')).read().strip(), '']
    return '\n'.join(lines)


def jobs_markdown(results):
    """Scenario 6's section: what ran, a table per store, and whether the goals were met."""
    jobs = results.get('jobs')
    if jobs is None:
        return []
    lines = ['## 6. Jobs that share one FMC: the budget in Redis', '']
    if 'skipped' in jobs:
        return lines + ['Skipped: %s.' % jobs['skipped'], '']
    lines += [
        '%d jobs, each an `ansible-playbook` run with a temporary directory of its own (as AWX jobs in separate containers '
        'have), wait at the same time on %d tasks each (ending at random between %.0f s and %.0f s), with '
        '`poll_interval: %g`, `max_poll_interval: %g` and the default budget of %d requests a minute each, against one '
        'simulator that allows %d a minute. Run twice, one after the other, with the same tasks: each job keeping its '
        'budget in files under its own TMPDIR (the default), then all three keeping it in one redis-server of the bench\'s '
        'own through `budget_url` (`CDFMC_BUDGET_URL`), its user holding the least-privileged ACL. CPU per request is the '
        'three jobs\' workers (the waits\' own work, plugin loading aside) over every request the server saw; *beyond a '
        'job\'s fixed cost* first takes away the workers\' CPU of the same three jobs on one task each that has already '
        'ended (one request each: the worker, TLS, and with Redis loading redis-py and connecting), run just after.' % (
            jobs['jobs'], jobs['tasks'], jobs['ends'][0], jobs['ends'][1], jobs['poll_interval'], jobs['max_poll_interval'],
            jobs['budget'], jobs['rate']),
        '',
    ]
    return lines + _jobs_table(jobs) + _jobs_verdict(results)


def _jobs_table(jobs):
    lines = ['| budget kept in | jobs failed | requests | HTTP 429 | most in any 60 s | tasks seen ended | longest gap between '
             'polls | longest detection latency | CPU, workers | per request | fixed cost of the jobs | per request beyond it '
             '| CPU, whole trees | per request | wall |', '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|']
    for store, name in (('file', 'each job\'s files'), ('redis', 'one Redis')):
        row = jobs['runs'][store]
        lines.append('| %s | %d | %d | %d | %d | %d of %d | %.1f s | %.1f s | %.2f s | %.2f ms | %.2f s | %s ms | %.2f s | %.1f ms '
                     '| %.1f s |' % (
                         name, sum(1 for rc in row['rc'] if rc), row['requests'], row['rate_limited'], row['max_in_60s'],
                         row['seen'], jobs['jobs'] * jobs['tasks'], row['longest_gap'], row['latency_max'], row['cpu_workers'],
                         row['cpu_per_poll'] * 1000, row['fixed']['cpu_workers'], _f(_ms(row['cpu_per_poll_marginal'])),
                         row['cpu'], row['cpu_per_poll_tree'] * 1000, row['wall']))
    return lines


def _ms(seconds):
    return None if seconds is None else seconds * 1000


def _jobs_verdict(results):
    jobs = results['jobs']
    redis, file, total = jobs['runs']['redis'], jobs['runs']['file'], jobs['jobs'] * jobs['tasks']
    goal_rows = jobs_goals(results)
    met = all(row[3] for row in goal_rows)
    per_poll = [row for row in goal_rows if row[0].startswith('CPU per poll with the budget in Redis')]
    return ['', 'With the budget in Redis the goals are %s: %d HTTP 429 (goal 0), %d of %d tasks seen ended, every task '
            'polled again within %.1f s (goal: 1.25 x T x 60 / R = 1.25 x %d x 60 / %d = %.0f s)%s. Each job alone with its '
            'own files keeps its own %d a minute, %d together against the server\'s %d: %d HTTP 429.' % (
                'met' if met else '**not all met**', redis['rate_limited'], redis['seen'], total, redis['longest_gap'], total,
                jobs['budget'], 1.25 * fair_gap(total, jobs['budget']),
                ', and %s of CPU per further poll of a scenario 2 wait (goal %.1f ms)' % (per_poll[0][2], JOBS_CPU_GOAL * 1000)
                if per_poll else '', jobs['budget'], jobs['jobs'] * jobs['budget'], jobs['rate'], file['rate_limited']),
            '', 'The CPU per request of these jobs (%.2f ms with Redis, %.2f ms with files; %s and %s ms beyond their fixed '
            'cost) is given for information: it counts the workers waking while they wait for their turn, which weighs more '
            'per request when, as here, the shared budget rightly lets fewer requests through in the same time; loading '
            'redis-py adds about 0.1 s once per job.' % (
                redis['cpu_per_poll'] * 1000, file['cpu_per_poll'] * 1000, _f(_ms(redis['cpu_per_poll_marginal'])),
                _f(_ms(file['cpu_per_poll_marginal']))), '']


def events_markdown(events):
    """Scenario 7's section: what ran, the jobs and the three runs in tables, and whether the goals were met."""
    if events is None:
        return []
    latency = events['runs']['latency']
    lines = [
        '## 7. Events: the fmc_events source', '',
        'The `cisco.cdfmc.fmc_events` source of the installed collection, run as ansible-rulebook runs it: loaded with '
        '`runpy`, its `main(queue, args)` a task of an asyncio loop, in a process of its own (`benchmarks/event_source.py`) '
        'with a TMPDIR of its own (its request budget\'s files), given only the simulator\'s URL, token and CA and its '
        '`kinds`: the default budget of %d requests a minute, and the default `poll_interval` of %g s but where a table '
        'says otherwise. Three runs side by side, each against its own simulator:' % (events['budget'], events['default_poll_interval']),
        '',
        '- %d deployments of another administrator (one device each), ending between %.0f s and %.0f s after the scenario is '
        'loaded: the even ones running when the source starts, the odd ones starting later, %s before their end (short and '
        'long by turns: a short one may start and end between two polls, and only the job history window lists it). An '
        'event\'s '
        'latency is the time from the job\'s end on the simulator\'s clock to when the source put the job\'s event on '
        'the queue, on the same clock (CLOCK_MONOTONIC, shared by the host\'s processes).' % (
            events['jobs'], events['ends'][0], events['ends'][1], 'under 2 s' if events['poll_interval'] < 5 else '2 to 5 s or 20 to 60 s'),
        '- %.0f s with nothing changing (the same fleet: job history of three older jobs, two devices with changes pending '
        'that never get old enough for an event), once with `kinds: [deployment]` and once with `kinds: [deployment, '
        'pending]`. The steady rate counts the requests after the first poll (which also reads what is deploying), over '
        'the time from the first request to the last.' % events['steady_seconds'], '',
        '| device | job starts | ends | a poll saw it running | poll that saw it ended, after the end | event put, after the end '
        '| put after that poll | gap in force |', '|---|---|---|---|---|---|---|---|',
    ]
    for job in latency['per_job']:
        lines.append('| %s | %.1f s | %.1f s | %s | %s s | %s s | %s ms | %s s |' % (
            job['device'], job['start'], job['end'], 'yes' if job['seen_running'] else 'no', _f(job['seen_by'], 1),
            _f(job['latency'], 1), _f(_ms(job['put_after_poll']), 0), _f(job['gap'], 1)))
    return lines + _events_runs(events) + _events_verdict(events, latency)


def _events_runs(events):
    lines = ['', '| run | kinds | poll_interval | ran | requests | steady requests a minute | most in any 60 s | HTTP 429 | '
             'events | warnings | CPU | CPU a minute | the cancel took |', '|---|---|---|---|---|---|---|---|---|---|---|---|---|']
    for name, title in (('latency', 'deployments ending'), ('deployment', 'nothing changing'), ('pending', 'nothing changing')):
        row = events['runs'][name]
        lines.append('| %s | %s | %g s | %.0f s | %d | %s | %d | %d | %d | %d | %.2f s | %.3f s | %.2f s |' % (
            title, ', '.join(row['kinds']), row['poll_interval'], row['ran'], row['requests'], _f(row.get('steady_rate'), 1),
            row['max_in_60s'], row['rate_limited'], row['events'], row['warnings'], row['cpu'], row['cpu_per_minute'],
            row['cancel_seconds']))
    return lines


def _events_verdict(events, latency):
    goal_rows = events_goals({'events': events})
    quiet, pending = events['runs']['deployment'], events['runs']['pending']
    return ['', 'The goals are %s: %d of %d jobs gave their event, the latest %s s after the job\'s end (goal: poll_interval '
            '+ 1 s = %g s; p90 %s s, median %s s), %d events for %d expected, none twice; with nothing changing and `kinds: '
            '[deployment]`, %s requests a minute (goal: at most %g, a tenth of the budget of %d), %s with `kinds: [deployment, '
            'pending]` (not a goal: one more request a poll, the deployable list). An event comes at the first poll after the '
            'job\'s end, so its latency is below the poll interval plus the poll\'s own time; %d of the %d jobs started and '
            'ended between two polls, read from the job history window.' % (
                'met' if all(row[3] for row in goal_rows) else '**not all met**', latency['seen'], events['jobs'],
                _f(latency['latency_max'], 1), latency['poll_interval'] + 1, _f(latency['latency_p90'], 1),
                _f(latency['latency_median'], 1), latency['events'], 2 * events['jobs'], _f(quiet['steady_rate'], 1),
                events['budget'] / 10.0, events['budget'], _f(pending['steady_rate'], 1), latency['never_seen_running'],
                events['jobs']), '']


def write(results, out):
    """Analyse ``results``, write the plots, results.json and benchmarks.md under ``out``; return the .md path."""
    analyse(results)
    assets = os.path.join(out, 'benchmarks')
    os.makedirs(assets, exist_ok=True)
    plot_one(results, os.path.join(assets, 'one_task.png'))
    plot_many(results, os.path.join(assets, 'many_tasks.png'))
    plot_forks(results, os.path.join(assets, 'forks.png'))
    plot_latency(results, os.path.join(assets, 'latency.png'))
    plot_pressure(results, os.path.join(assets, 'pressure.png'))
    goal_rows = goals(results)
    with open(os.path.join(assets, 'results.json'), 'w') as handle:
        json.dump(results, handle, sort_keys=True, separators=(',', ':'))
        handle.write('\n')
    path = os.path.join(out, 'benchmarks.md')
    with open(path, 'w') as handle:
        handle.write(markdown(results, goal_rows))
    return path


def _gaps(row):
    return [task['gap'] for task in row['per_task'] if task['gap'] is not None]


def summary(results):
    """The figures that decide the goals, for the scenarios in ``results`` (run.py --only prints them)."""
    figures = {}
    if 'pressure' in results:
        for contender, row in results['pressure']['runs'].items():
            figures['pressure %s' % contender] = {
                'overshoot': round(row['overshoot'], 2), '429': row['rate_limited'], 'requests': row['requests'],
                'max_in_60s': row['max_in_60s'], 'wall': round(row['wall'], 1)}
    if 'forks' in results:
        for row in results['forks']['runs']:
            figures['forks %d' % row['forks']] = {
                '429': row['rate_limited'], 'gap_max': round(max(_gaps(row) or [0]), 1), 'wall': round(row['wall'], 1),
                'latency_max': round(max([t['latency'] for t in row['per_task'] if t['latency'] is not None] or [0]), 1)}
    if 'jobs' in results:
        if 'skipped' in results['jobs']:
            figures['jobs'] = {'skipped': results['jobs']['skipped']}
        for store, row in results['jobs'].get('runs', {}).items():
            jobs_figures(row)
            figures['jobs %s' % store] = dict((key, round(row[key], 4) if isinstance(row[key], float) else row[key]) for key in (
                'rc', 'requests', 'rate_limited', 'max_in_60s', 'seen', 'longest_gap', 'latency_max', 'cpu', 'cpu_main',
                'cpu_workers', 'cpu_per_poll', 'cpu_per_poll_tree', 'cpu_per_poll_marginal', 'fixed', 'wall', 'overshoot')
                if key in row)
            figures['jobs %s' % store].update((key, row[key]) for key in ('store_calls', 'store_warnings') if key in row)
    if 'events' in results:
        figures.update(events_summary(results['events']))
    if 'latency' in results:
        for count, runs in results['latency']['runs'].items():
            figures['latency N=%s' % count] = {
                'p90': [round(run['p90'], 2) for run in runs], 'p90_median': round(statistics.median(
                    run['p90'] for run in runs), 2), 'max_in_60s': [run['max_in_60s'] for run in runs],
                'steady_rate': [round(run['steady_rate'] or 0, 1) for run in runs], 'budget': runs[0]['budget'],
                'wall': [round(run['wall'], 1) for run in runs]}
    return figures


def events_summary(events):
    """Scenario 7's deciding figures, for run.py --only."""
    latency = events['runs']['latency']
    figures = {'events goals': list(events_goals({'events': events})),
               'events latency': dict((key, round(latency[key], 2) if isinstance(latency[key], float) else latency[key]) for key in (
                   'seen', 'events', 'duplicates', 'latency_max', 'latency_p90', 'latency_median', 'never_seen_running',
                   'poll_interval', 'requests', 'polls', 'warnings'))}
    figures['events latency']['per_job'] = [(job['device'], job['start'], job['end'], _f(job['latency'], 2), _f(job['seen_by'], 2),
                                             job['seen_running']) for job in latency['per_job']]
    for name in ('deployment', 'pending'):
        row = events['runs'][name]
        figures['events quiet %s' % name] = dict((key, round(row[key], 3) if isinstance(row[key], float) else row[key]) for key in (
            'kinds', 'poll_interval', 'ran', 'requests', 'steady_rate', 'max_in_60s', 'rate_limited', 'events', 'warnings',
            'cpu', 'cpu_per_minute', 'cancel_seconds', 'paths'))
    return figures
