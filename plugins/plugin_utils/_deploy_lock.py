# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The lock that serialises the deployments and rollbacks of one host's forks to one server, and the record of
what their play deployed (which serves the run_once hint).

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It is controller-only; it reads and writes files in the collection's private
directory.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import hashlib
import json
import os

from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcError
from ansible_collections.cisco.cdfmc.plugins.module_utils._statefile import SharedFileUnavailable, locked
from ansible_collections.cisco.cdfmc.plugins.module_utils._statefile import private_directory, read_state, write_state


class DeployFailed(CdfmcError):
    """No deployment was made: the options say not to, FMC refused the request, or the time ran out."""


# How long a record of what another host of the same task deployed is worth a hint (seconds).
PLAY_RECORD_LIFETIME = 3600


class PlayRecord:
    """What the last deployment of one ansible-playbook run to one server was (a small file beside the deploy lock,
    read and written under it): its task, its host and its devices. A host of the same task that finds nothing left
    to deploy can then say that another host deployed it, and name run_once. ``caller`` is which task of the play on
    which host ({task, host}) this is; ``clock``'s wall clock dates the record."""

    def __init__(self, path, caller, clock):
        self.path, self._clock = path, clock
        self.caller = dict(caller or {}, play=os.getppid())
        state, _problem = read_state(path)
        self.state = state if isinstance(state, dict) and isinstance(state.get('devices'), list) else {}

    def deployed(self, devices):
        """Record that this task deployed ``devices`` from this host (never fails: the record only serves a hint)."""
        try:
            write_state(self.path, json.dumps(dict(self.caller, at=self._clock.now(),
                                                   devices=[device['id'] for device in devices])))
        except SharedFileUnavailable:
            pass

    def by_another_host(self, devices):
        """The devices of ``devices`` that the same task of the same run deployed from another host, lately."""
        same_task = all(self.state.get(key) == self.caller.get(key) for key in ('play', 'task'))
        if not same_task or self.caller.get('task') is None or self.state.get('host') == self.caller.get('host') or \
                not isinstance(self.state.get('at'), (int, float)) or \
                self._clock.now() - self.state['at'] > PLAY_RECORD_LIFETIME:
            return []
        return [device for device in devices if device['id'] in self.state['devices']]


@contextlib.contextmanager
def deploy_lock(client, deadline, warn, caller=None):
    """Hold the lock that serialises the deployments and rollbacks of this host's forks to ``client``'s server
    (waited for until
    ``deadline``: its holder may be waiting for a deployment to end); yield the PlayRecord (of ``caller``: {task,
    host}) read under it. A lock file that cannot be used: a warning, and no serialising."""
    server = client.settings.server
    key = hashlib.sha256(('%s%s' % (server, client.config_path(''))).encode('utf-8')).hexdigest()[:32]
    path = os.path.join(private_directory(), '%s.deploy.lock' % key)
    held = contextlib.ExitStack()
    try:
        held.enter_context(locked(path, deadline, patience=deadline.left()))
    except SharedFileUnavailable as exc:
        if deadline.expired:
            raise DeployFailed('the timeout came while another fork of this host was requesting a deployment or a '
                               'rollback from %s (%s)' % (server, exc))
        warn('cisco.cdfmc: the deployment lock cannot be used (%s); this request is not serialised with the other '
             'forks of this host' % exc)
    with held:
        yield PlayRecord(os.path.join(private_directory(), '%s.deploy.play' % key), caller, deadline.clock)
