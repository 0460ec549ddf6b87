# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the fmc_events source as ansible-rulebook runs it, for a while, and write what it put: scenario 7 of run.py.

Usage: python benchmarks/event_source.py SETTINGS (a JSON file: ``source``, the path of fmc_events.py in the installed
collection; ``args``, the source's arguments; ``seconds`` it runs before it is cancelled; ``out``, where the figures go).

The source is loaded with runpy and its ``main(queue, args)`` run as a task of an asyncio loop, as ansible-rulebook
does. Each event is stamped when it is put on the queue, on time.monotonic (CLOCK_MONOTONIC: one clock for every
process of the host, the simulator's request log included). Warnings of the source go to stderr.
"""

import asyncio
import json
import logging
import resource
import runpy
import sys
import time

EVENT_SOURCE_MODULE = 'ansible_collections.cisco.cdfmc.plugins.plugin_utils._event_source'


class StampingQueue(asyncio.Queue):
    """ansible-rulebook's queue; each event is kept with when it was put."""

    def __init__(self):
        super(StampingQueue, self).__init__()
        self.arrivals = []

    async def put(self, item):
        self.arrivals.append({'at': time.monotonic(), 'event': item})
        await super(StampingQueue, self).put(item)


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def run(main, args, seconds):
    """Run ``main`` for ``seconds``, then cancel it: the events, the CPU it spent, how long the cancel took."""
    queue, cpu, started = StampingQueue(), cpu_seconds(), time.monotonic()
    task = asyncio.ensure_future(main(queue, args))
    done, _pending = await asyncio.wait([task], timeout=seconds)
    if done:
        raise RuntimeError('the source returned on its own (%r); a source must run until cancelled' % task.exception())
    stopping = time.monotonic()
    task.cancel()
    await asyncio.wait([task], timeout=10)
    return {'started': started, 'stopped': stopping, 'cancel_seconds': time.monotonic() - stopping,
            'ended': task.done(), 'cpu': cpu_seconds() - cpu, 'events': queue.arrivals}


def main(argv):
    with open(argv[1]) as handle:
        settings = json.load(handle)
    logging.basicConfig(level=logging.WARNING, format='%(asctime)s %(levelname)s %(name)s: %(message)s')
    source = runpy.run_path(settings['source'])
    figures = asyncio.run(run(source['main'], settings['args'], settings['seconds']))
    # Where the collection's code came from: the installed collection, as ansible-rulebook would import it.
    figures['imported_from'] = sys.modules[EVENT_SOURCE_MODULE].__file__
    with open(settings['out'], 'w') as handle:
        json.dump(figures, handle)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
