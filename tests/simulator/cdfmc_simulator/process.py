# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator as its own process, and its admin API: what the integration tests and the
benchmarks start (``python -m cdfmc_simulator``, HTTPS with a throwaway CA)."""

import json
import os
import ssl
import subprocess
import sys
import time
import urllib.request

PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class SimulatorProcess:
    """Starts the simulator with its state (CA, log) in ``state_dir`` and waits until it listens."""

    def __init__(self, state_dir, python=sys.executable, timeout=30):
        os.makedirs(state_dir, exist_ok=True)
        ready = os.path.join(state_dir, 'ready.json')
        self.log = open(os.path.join(state_dir, 'simulator.log'), 'w')
        self.process = subprocess.Popen(
            [python, '-m', 'cdfmc_simulator', '--state-dir', state_dir, '--ready-file', ready],
            stdout=self.log, stderr=subprocess.STDOUT, env=dict(os.environ, PYTHONPATH=PACKAGE_PARENT))
        deadline = time.monotonic() + timeout
        while not os.path.exists(ready):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError('the simulator did not start; see %s' % self.log.name)
            time.sleep(0.05)
        with open(ready) as handle:
            info = json.load(handle)
        self.url, self.ca_file = info['url'], info['ca_file']
        self._context = ssl.create_default_context(cafile=self.ca_file)

    def admin(self, path, body=None, timeout=30):
        """GET an admin path, or POST ``body`` as JSON to it; the answer's JSON."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method='POST' if data else 'GET',
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, context=self._context, timeout=timeout) as response:
            return json.load(response)

    def load(self, scenario):
        """Replace the scenario (its clock starts again and the request log is cleared)."""
        self.admin('/_sim/scenario', scenario)

    def change(self, unit, change=None):
        """A change made now to a device, HA pair or cluster: listed for deployment after the list's lag."""
        self.admin('/_sim/change', {'unit': unit, 'change': change})

    def requests(self):
        """Every API request the simulator saw since the scenario was loaded."""
        return self.admin('/_sim/requests')

    def answers(self):
        """Each distinct answer the simulator gave since it started, whatever the scenario (see Simulator.answers)."""
        return self.admin('/_sim/answers')

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.log.close()
