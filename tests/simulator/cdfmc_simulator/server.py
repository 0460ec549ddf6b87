# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTPS server around the Simulator, with a small admin API under /_sim/."""

import http.server
import json
import socket
import ssl
import threading
import time
import urllib.parse

from .api import Reply, Simulator


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'cdfmc-simulator'
    sys_version = ''

    def log_message(self, format, *args):  # noqa: A002 - the base class names it so
        if self.server.verbose:
            super().log_message(format, *args)

    def _body(self):
        length = int(self.headers.get('Content-Length') or 0)
        raw = self.rfile.read(length) if length else b''
        if not raw:
            return None
        try:
            return json.loads(raw.decode('utf-8'))
        except ValueError:
            return raw

    def _write_head(self, reply):
        self.send_response(reply.status)
        self.send_header('Content-Type', reply.content_type)
        self.send_header('Content-Length', str(len(reply.payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()

    def _hang_up(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _write(self, reply):
        self._write_head(reply)
        if self.command != 'HEAD':
            self.wfile.write(reply.payload)

    def _admin(self, method, path, body):
        simulator = self.server.simulator
        if path == '/_sim/scenario' and method == 'POST':
            try:
                simulator.load(body if isinstance(body, dict) else {})
            except ValueError as error:  # a scenario that contradicts itself: the one before stays
                return Reply(400, {'error': str(error)})
            return Reply(200, {'loaded': True})
        if path == '/_sim/requests' and method == 'GET':
            return Reply(200, simulator.request_log())
        if path == '/_sim/answers' and method == 'GET':
            return Reply(200, simulator.answers())
        if path == '/_sim/health':
            return Reply(200, {'ok': True})
        if path == '/_sim/change' and method == 'POST' and isinstance(body, dict):
            simulator.change(body.get('unit'), body.get('change') or {'policy': 'Changed-policy'})
            return Reply(200, {'changed': True})
        if path == '/_sim/auth' and method == 'GET':
            return Reply(200, {'logins': simulator.logins, 'refreshes': simulator.refreshes,
                               'issued': simulator.issued})
        return Reply(404, {'error': 'unknown admin path'})

    def _serve(self):
        parts = urllib.parse.urlsplit(self.path)
        path = parts.path
        body = self._body()
        if path.startswith('/_sim/'):
            self._write(self._admin(self.command, path, body))
            return
        query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        # The headers as they came, looked up in any case (urllib, for one, sends X-Auth-Access-Token).
        reply = self.server.simulator.handle(self.command, path, query, self.headers, body)
        if reply.action == 'drop':
            self._hang_up()
            return
        if reply.action == 'slow':
            time.sleep(reply.delay)
        if reply.action == 'trickle':
            self._trickle(reply)
            return
        if reply.action == 'trickle_head':
            self._trickle(reply, head=True)
            return
        if reply.action == 'cut':
            self._write_head(reply)
            self.wfile.write(reply.payload[:len(reply.payload) // 2])
            self.wfile.flush()
            self._hang_up()
            return
        self._write(reply)

    def _trickle(self, reply, head=False):
        """Send the body (with ``head``: the status line and headers too) one byte at a time."""
        payload = reply.payload
        if head:
            lines = ['HTTP/1.1 %d OK' % reply.status, 'Content-Type: %s' % reply.content_type,
                     'Content-Length: %d' % len(payload)] + ['%s: %s' % item for item in reply.headers.items()]
            payload = ('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1') + payload
        else:
            self._write_head(reply)
            self.wfile.flush()
        self.close_connection = True
        for index in range(len(payload)):
            try:
                self.wfile.write(payload[index:index + 1])
                self.wfile.flush()
            except OSError:
                return
            time.sleep(reply.delay)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve


class SimulatorServer(http.server.ThreadingHTTPServer):
    """Serves one Simulator over HTTPS (or plain HTTP when no TLS context is given)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, simulator, ssl_context=None, verbose=False):
        super().__init__(address, Handler)
        self.simulator = simulator
        self.ssl_context = ssl_context
        self.verbose = verbose

    def finish_request(self, request, client_address):
        # The TLS handshake runs in the request's own thread, so a stalled client cannot block accept().
        if self.ssl_context is not None:
            request.settimeout(10)
            try:
                request = self.ssl_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
            request.settimeout(None)
        try:
            super().finish_request(request, client_address)
        except (ConnectionError, ssl.SSLError, OSError):
            pass

    def handle_error(self, request, client_address):
        if self.verbose:
            super().handle_error(request, client_address)


def make_ssl_context(cert_file, key_file):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    return context


def serve_in_thread(host='127.0.0.1', port=0, scenario=None, cert_file=None, key_file=None, clock=None):
    """Start a server in a daemon thread (for tests in one process); return (server, url)."""
    simulator = Simulator(scenario) if clock is None else Simulator(scenario, clock=clock)
    context = make_ssl_context(cert_file, key_file) if cert_file else None
    server = SimulatorServer((host, port), simulator, context)
    threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.1}, daemon=True).start()
    scheme = 'https' if context else 'http'
    return server, '%s://%s:%d' % (scheme, host, server.server_address[1])
