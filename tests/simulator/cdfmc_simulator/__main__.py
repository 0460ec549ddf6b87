# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the cdFMC simulator: python -m cdfmc_simulator [--scenario FILE] [--port N].

Prints one JSON line once it listens: {"url": ..., "ca_file": ..., "pid": ...}.
"""

import argparse
import json
import os
import signal
import sys
import tempfile

from .api import Simulator
from .server import SimulatorServer, make_ssl_context


def load_scenario(path):
    if not path:
        return {}
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    if path.endswith(('.yml', '.yaml')):
        import yaml  # only scenario files written in YAML need it
        return yaml.safe_load(text) or {}
    return json.loads(text)


def main(argv=None):
    parser = argparse.ArgumentParser(prog='cdfmc_simulator', description=__doc__.splitlines()[0])
    parser.add_argument('--host', default='127.0.0.1', help='address to listen on (a loopback address)')
    parser.add_argument('--port', type=int, default=0, help='port (0 picks a free one)')
    parser.add_argument('--scenario', help='scenario file (JSON or YAML)')
    parser.add_argument('--state-dir', help='where the throwaway CA and certificate go (default: a new temp dir)')
    parser.add_argument('--cert', help='server certificate (PEM) instead of a generated one')
    parser.add_argument('--key', help='key of --cert')
    parser.add_argument('--plain-http', action='store_true', help='serve plain HTTP instead of HTTPS')
    parser.add_argument('--ready-file', help='also write the startup JSON line to this file')
    parser.add_argument('--verbose', action='store_true', help='log every request to stderr')
    args = parser.parse_args(argv)

    info = {'pid': os.getpid(), 'ca_file': None}
    context = None
    if not args.plain_http:
        if args.cert:
            cert_file, key_file = args.cert, args.key or args.cert
        else:
            from .certs import make_certificates  # needs cryptography
            state_dir = args.state_dir or tempfile.mkdtemp(prefix='cdfmc-simulator-')
            paths = make_certificates(state_dir)
            cert_file, key_file, info['ca_file'] = paths['cert_file'], paths['key_file'], paths['ca_file']
        context = make_ssl_context(cert_file, key_file)

    server = SimulatorServer((args.host, args.port), Simulator(load_scenario(args.scenario)), context, args.verbose)
    host = server.server_address[0]
    info['url'] = '%s://%s:%d' % ('http' if args.plain_http else 'https',
                                  '[%s]' % host if ':' in host else host, server.server_address[1])
    line = json.dumps(info)
    if args.ready_file:
        with open(args.ready_file + '.tmp', 'w', encoding='utf-8') as handle:
            handle.write(line + '\n')
        os.replace(args.ready_file + '.tmp', args.ready_file)
    print(line, flush=True)

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
