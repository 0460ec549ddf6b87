# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A redis-server of the tests' own on a free loopback port (never the system's), from a config written in a
temporary directory: no persistence, the default user off, an ``admin`` user for the tests' own fiddling and the
least-privileged ``cdfmc`` user with exactly REDIS_ACL. Optionally TLS only, with a CA made for the test."""

import os
import shutil
import signal
import socket
import subprocess
import time
from urllib.parse import quote

PASSWORD = 'pa:ss@w/rd#%s3cr3t'  # every character that a URL must encode, and a few that a masker may trip on
ADMIN_PASSWORD = 'admin-password'


def redis_missing():
    """Why a redis-server of the tests' (or the bench's) own cannot run here, or None."""
    if shutil.which('redis-server') is None:
        return 'redis-server is not on PATH'
    try:
        import redis  # noqa: F401 - only whether it is there
    except ImportError:
        return 'redis-py (pip install redis) is not installed'
    return None


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


class RedisServer:
    """``redis-server`` in ``directory``; ``certificates`` (ca_file, cert_file, key_file) for TLS only."""

    def __init__(self, directory, certificates=None, password=PASSWORD):
        self.directory, self.certificates, self.password = str(directory), certificates, password
        self.port = free_port()
        self.process = None
        self.config = os.path.join(self.directory, 'redis.conf')
        with open(self.config, 'w') as handle:
            handle.write(self._config())
        self.start()

    def _config(self):
        from ansible_collections.cisco.cdfmc.plugins.module_utils._redis import REDIS_ACL
        lines = ['bind 127.0.0.1', 'save ""', 'appendonly no', 'protected-mode yes', 'daemonize no',
                 'dir %s' % self.directory, 'logfile %s' % os.path.join(self.directory, 'redis.log'),
                 'user default off', 'user admin on >%s ~* &* +@all' % ADMIN_PASSWORD,
                 'user cdfmc on >%s %s' % (self.password, REDIS_ACL)]
        if self.certificates:
            lines += ['port 0', 'tls-port %d' % self.port, 'tls-cert-file %s' % self.certificates['cert_file'],
                      'tls-key-file %s' % self.certificates['key_file'],
                      'tls-ca-cert-file %s' % self.certificates['ca_file'], 'tls-auth-clients no']
        else:
            lines.append('port %d' % self.port)
        return '\n'.join(lines) + '\n'

    def url(self, user='cdfmc', password=None, db=0):
        scheme = 'rediss' if self.certificates else 'redis'
        password = self.password if password is None else password
        return '%s://%s:%s@127.0.0.1:%d/%d' % (scheme, user, quote(password, safe=''), self.port, db)

    def start(self):
        self.process = subprocess.Popen(['redis-server', self.config], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        give_up = time.monotonic() + 10
        while True:
            try:
                self.admin().ping()
                return
            except Exception:
                if time.monotonic() > give_up or self.process.poll() is not None:
                    self.kill()
                    with open(os.path.join(self.directory, 'redis.log')) as log:
                        raise RuntimeError('redis-server did not start:\n' + log.read()[-2000:])
                time.sleep(0.02)

    def admin(self):
        import redis
        options = dict(username='admin', password=ADMIN_PASSWORD, socket_timeout=2, decode_responses=True)
        if self.certificates:
            options.update(ssl=True, ssl_ca_certs=self.certificates['ca_file'])
        return redis.Redis(host='127.0.0.1', port=self.port, **options)

    def kill(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait(10)

    def stop(self):
        self.process.send_signal(signal.SIGSTOP)

    def cont(self):
        self.process.send_signal(signal.SIGCONT)

    def restart(self):
        """Killed and started again on the same port: no data, no script."""
        self.kill()
        self.start()
