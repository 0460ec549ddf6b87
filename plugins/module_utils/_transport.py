# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""HTTP to one server: one keep-alive requests session, retries, a bound on every response, clear errors.

``Transport.request()`` sends one API request (retried as ``_retry.py`` says, paced by the shared request
budget) and returns a ``Response``; every failure is a CdfmcRequestError subclass whose message names the
method, the path, the server and what came back, with secrets masked and server text escaped.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It never imports AnsibleModule: it raises
CdfmcError subclasses and reports through callbacks, so modules and controller
plugins share it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import contextlib
import http.client
import re
import socket
import ssl
import time
import traceback

from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import SYSTEM_CLOCK, Deadline
from ansible_collections.cisco.cdfmc.plugins.module_utils._display import masked, shown
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import (
    NO_ANSWER,
    CdfmcLibraryError,
    CdfmcRequestError,
    CdfmcResponseError,
    CdfmcTLSError,
)
from ansible_collections.cisco.cdfmc.plugins.module_utils._json import TooDeep, loads as json_loads
from ansible_collections.cisco.cdfmc.plugins.module_utils._retry import (
    Retries,
    parse_retry_after,
    retried_at_once,
    retries_bound,
)
from ansible_collections.cisco.cdfmc.plugins.module_utils._version import COLLECTION_VERSION
from ansible_collections.cisco.cdfmc.plugins.module_utils._watchdog import Watchdog, watch_connection, watching

try:
    import requests
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
except ImportError:
    requests = None
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    HTTPConnection = HTTPSConnection = HTTPConnectionPool = HTTPSConnectionPool = object
else:
    REQUESTS_IMPORT_ERROR = None

REQUESTS_MINIMUM_VERSION = (2, 32, 4)
USER_AGENT = 'cisco.cdfmc/%s' % COLLECTION_VERSION
# A task status is a few KiB; anything far larger is not one.
MAX_BODY_BYTES = 8 * 1024 * 1024
_SNIPPET_LENGTH = 160
# Seconds one TLS handshake may take to tell whether a port that dropped plain HTTP speaks TLS.
TLS_PROBE_TIMEOUT = 3.0
# OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH, _EMAIL_MISMATCH and _IP_ADDRESS_MISMATCH: the certificate names another host.
_NAME_MISMATCH = (62, 63, 64)


def requests_version_problem(version=None):
    """None when requests is usable, else a sentence saying what to install."""
    if requests is None:
        return 'the Python library requests (%s or later) is not installed' % '.'.join(map(str, REQUESTS_MINIMUM_VERSION))
    version = version or requests.__version__
    numbers = tuple(int(part) for part in re.findall(r'\d+', version)[:3])
    if numbers < REQUESTS_MINIMUM_VERSION:
        return 'the Python library requests is %s; %s or later is needed' % (
            version, '.'.join(map(str, REQUESTS_MINIMUM_VERSION)))
    return None


def require_requests():
    """Raise CdfmcLibraryError when requests is missing or too old: the one check, made by the client factory."""
    problem = requests_version_problem()
    if problem:
        raise CdfmcLibraryError('%s; install the collection\'s requirements.txt into the Python that runs it'
                                % problem, details=REQUESTS_IMPORT_ERROR)


# One HTTP answer: the request's method and path, the status, the headers, and the body (decoded JSON; None when
# empty).
Response = collections.namedtuple('Response', 'method path status headers body')


def _walk_causes(exc):
    seen = set()
    pending = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [getattr(current, 'reason', None), current.__cause__, current.__context__]
        linked.extend(getattr(current, 'args', ()))
        pending.extend(cause for cause in linked if isinstance(cause, BaseException))


def _is_connection_refused(exc):
    return any(isinstance(cause, ConnectionRefusedError) for cause in _walk_causes(exc))


def _tls_advice(exc):
    """The TLS failure with what to do about it: a name mismatch needs another name, not another CA."""
    failure = next((cause for cause in _walk_causes(exc) if isinstance(cause, ssl.SSLCertVerificationError)), None)
    # verify_message is OpenSSL's own reason; the certificate's names in it come from the server: escaped.
    reason = shown('certificate verify failed: %s' % failure.verify_message) if failure is not None and \
        failure.verify_message else 'the TLS handshake failed'
    if failure is not None and failure.verify_code in _NAME_MISMATCH:
        return ('the server\'s TLS certificate does not cover this host name (%s). Use in base_url a host name that '
                'the certificate names, or validate_certs: false to skip verification (not recommended)' % reason)
    return ('could not verify the server\'s TLS certificate (%s). Set ca_path (or CDFMC_CA_PATH) to the CA bundle '
            'that signed it, or validate_certs: false to skip verification (not recommended)' % reason)


def _connection_problem(exc, host):
    """A readable cause for a failed connection: refused, unresolvable, closed, proxy, or the innermost error."""
    causes = list(_walk_causes(exc))
    if any(isinstance(cause, ConnectionRefusedError) for cause in causes):
        return 'connection refused'
    if any(isinstance(cause, socket.gaierror) for cause in causes):
        return 'could not resolve the host name %s' % host
    if isinstance(exc, requests.exceptions.ProxyError):
        return 'the proxy failed: %s' % shown(exc)
    if any(isinstance(cause, (ConnectionResetError, http.client.RemoteDisconnected, http.client.IncompleteRead))
           for cause in causes) or isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return 'the server closed the connection before the answer was complete'
    innermost = causes[-1] if causes else exc
    # The innermost error may quote what the server sent (a status line that is not HTTP, say).
    return 'connection failed: %s: %s' % (type(innermost).__name__, shown(innermost))


def _then(text, more):
    """``text`` (the server's words, kept as sent) and ``more`` (ours): a new sentence after a stop, else "; "."""
    text = (text or '').rstrip()
    if not text:
        return more
    if text.endswith(('.', '!', '?')):
        return '%s %s%s' % (text, more[:1].upper(), more[1:])
    return '%s; %s' % (text.rstrip(';'), more)


def _error_descriptions(body):
    """The messages[].description texts of an error body, in either shape FMC sends (shown escaped)."""
    if not isinstance(body, dict):
        return []
    container = body.get('error') if isinstance(body.get('error'), dict) else body
    messages = container.get('messages')
    if not isinstance(messages, list):
        return []
    texts = []
    for message in messages:
        if isinstance(message, dict):
            text = message.get('description') or message.get('details') or message.get('code')
            if text:
                texts.append(shown(str(text).strip()))
    return texts


def _snippet(raw):
    """A short, single-line, tag-free excerpt of a body that is not JSON."""
    text = raw[:4096].decode('utf-8', errors='replace')
    text = re.sub(r'(?is)<(script|style)\b.*?</\1\s*>', ' ', text)
    text = re.sub(r'<[^>]*>', ' ', text)
    return shown(' '.join(text.split()), _SNIPPET_LENGTH)


class _Watched:
    """A connection that is handed to the current request's watchdog before its answer is read, so that
    headers which trickle in are cut at request_timeout as a body is."""

    def getresponse(self, *args, **kwargs):
        watch_connection(self)
        return super().getresponse(*args, **kwargs)


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS = {'http': _WatchedHTTPPool, 'https': _WatchedHTTPSPool}


class _WatchedAdapter(requests.adapters.HTTPAdapter if requests is not None else object):
    """requests' adapter, with connections that its request's watchdog can cut (through an http(s) proxy too)."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith('socks'):  # SOCKS has connection classes of its own
            manager.pool_classes_by_scheme = _WATCHED_POOLS
        return manager


def _new_session(settings, pool_size):
    """A requests session for one server: our headers, no retries of its own, no redirects followed."""
    session = requests.Session()
    session.headers['User-Agent'] = USER_AGENT
    session.headers['Accept'] = 'application/json'
    if settings.scheme == 'http':
        # Plain http is only allowed to loopback: no proxy may see the credentials on the way.
        session.trust_env = False
    session.mount('https://', _WatchedAdapter(pool_maxsize=pool_size, max_retries=0))
    session.mount('http://', _WatchedAdapter(pool_maxsize=pool_size, max_retries=0))
    if not settings.validate_certs:
        # The user turned verification off on purpose; urllib3 would warn on every request.
        requests.packages.urllib3.disable_warnings(requests.packages.urllib3.exceptions.InsecureRequestWarning)
    return session


class Transport:
    """One server, one keep-alive requests session, retries as the settings say.

    ``settings`` is a ConnectionSettings, ``auth`` an Auth. ``budget`` (a RequestBudget) paces the requests,
    shared with other processes; ``log`` gets one line per request; ``notice`` (default verbosity) one line per
    retry while the server has never answered; ``clock`` (a Clock) reads the wall clock, and bounds requests
    given no deadline. ``request_count`` counts every HTTP request sent, retries included.

    A server that has not answered once in this run (refused, unresolvable, no connection within the timeout, a
    TLS handshake that fails, a port that speaks TLS to plain HTTP) is almost always a wrong address, not an
    outage: once the retries of one request are spent, the error says so (``never_answered``), every later request
    fails at once with it, and a wait does not poll again. A certificate that cannot be verified and a read that
    times out after connecting are not of this kind. After its first answer, outages are ridden through.
    """

    def __init__(self, settings, auth, budget=None, log=None, notice=None, clock=None):
        self.settings, self.auth, self.budget = settings, auth, budget
        self._log, self._notice = log, notice
        self.clock = clock or SYSTEM_CLOCK
        self.request_count = 0
        self.answered = False  # any HTTP answer (whatever its status) from the server in this run
        self.unreachable = None  # the never_answered error, once one request has spent its retries on it
        self.session = _new_session(settings, pool_size=max(10, getattr(budget, 'concurrent', 0)))

    def close(self):
        """Close the session's connections."""
        self.session.close()

    def log(self, message):
        """Pass one line to the log callback, if there is one."""
        if self._log:
            self._log(self.redact(message))

    def redact(self, text):
        """Return text with every secret and URL credential masked."""
        return masked(text, self.auth.secrets + self.settings.store_secrets)

    def request(self, method, api_path, params=None, json_body=None, deadline=None, auth=None, headers=None):
        """Send one API request with retries; return its Response (2xx) or raise CdfmcRequestError.

        ``deadline`` (a Deadline; None: no bound) bounds request timeouts and retry sleeps. ``auth`` replaces the
        client's credentials for this request (a login, a refresh), with no renewal.
        """
        method, path = method.upper(), self.settings.path(api_path)
        deadline = deadline or Deadline(clock=self.clock)
        retries = Retries(self.settings.max_retries)
        renewed = auth is not None
        while True:
            if self.unreachable is not None:
                raise self._not_sent(method, path)
            if auth is None:
                self._authenticate(self.auth.prepare, deadline)
            try:
                response, raw = self._send(method, path, params, json_body, deadline, auth or self.auth, headers)
            except CdfmcRequestError as exc:
                self._before_retry(exc, method, retries, deadline)
                continue
            if 200 <= response.status_code < 300:
                return Response(method, path, response.status_code, response.headers,
                                self._decode(method, path, response.status_code, raw))
            unauthorized = response.status_code == 401 and not renewed
            if unauthorized:
                renewed = True
                # The token this thread actually sent: renew() leaves alone one that another thread replaced.
                if self._authenticate(self.auth.renew, deadline, self.auth.sent_token):
                    continue
                # A token that cannot be renewed: cdFMC answers an occasional spurious 401, which Cisco's
                # own client retries once; so do we, within max_retries.
            self._before_retry(self._http_error(method, path, response, raw), method, retries, deadline, unauthorized)

    def _before_retry(self, error, method, retries, deadline, unauthorized=False):
        """Pause before the next try of a request that failed with ``error``; raise ``error`` instead when it is not
        worth one (a POST that may have reached the server must not run twice), no retry is left, or the deadline
        leaves no time for one. After a 429, every process sharing the budget holds off too."""
        delay = error.retry_after if error.retry_after is not None else retries.next_delay()
        if error.status == 429:
            self._hold_everyone(delay, deadline)
        if not (unauthorized or retried_at_once(error, method)) or not retries.left:
            raise self._unreached(error)
        self._say_unreached(error, delay, retries, deadline)
        if not self._pause(delay, deadline, error):
            raise self._unreached(error)
        retries.spend()

    def _not_sent(self, method, path):
        """The error of a request not sent because an earlier one found the server never reached in this run."""
        error = CdfmcRequestError('%s %s on %s: not sent: %s' % (method, path, self.settings.server,
                                                                 self.unreachable.reason),
                                  method=method, path=path, sent=False, kind=self.unreachable.kind)
        error.never_answered, error.reason = True, self.unreachable.reason
        return error

    def _never_reached(self, error):
        """True when ``error`` is a failure to reach (``unreached``) a server that has not answered once in this run."""
        return not self.answered and getattr(error, 'unreached', False)

    def _unreached(self, error):
        """``error``, marked ``never_answered`` (and saying so) when the server has never answered in this run; the
        requests after it fail at once."""
        if self._never_reached(error) and not getattr(error, 'never_answered', False):
            error.never_answered = True
            error.reason = '%s has not answered once in this run (host %s, port %d): check base_url' % (
                self.settings.server, self.settings.host, self.settings.port)
            error.args = ('%s; %s' % (error, error.reason),) + error.args[1:]
            self.unreachable = error
        return error

    def _say_unreached(self, error, delay, retries, deadline):
        """One line at the default verbosity per retry while the server has never answered: what happened, when the
        next try is, and the time the retries end (at the latest) if it never answers."""
        if self._notice is None or not self._never_reached(error):
            return
        give_up = min(retries_bound(retries.done, retries.left, self.settings.request_timeout), deadline.left())
        what = str(error).split(' on %s: ' % self.settings.server, 1)[-1]
        self._notice('cisco.cdfmc: %s: %s; trying again in %.0f s; gives up at %s if it never answers' % (
            self.settings.server, what, delay, time.strftime('%H:%M:%S', time.localtime(self.clock.now() + give_up))))

    def _authenticate(self, step, deadline, *args):
        """A login or a refresh (``step``) for a request; when it fails, the request was not sent, or was refused
        (HTTP 401): either way it had no effect, which a caller deciding whether a POST may have arrived must know."""
        try:
            return step(self, deadline, *args)
        except CdfmcRequestError as exc:
            exc.sent = False
            raise

    def _hold_everyone(self, delay, deadline):
        """After a 429, every process sharing the budget holds off, not only this one (if it can be told in time)."""
        if self.budget is not None:
            try:
                self.budget.hold(delay, deadline)
            except CdfmcRequestError:
                pass

    def _pause(self, delay, deadline, error):
        """Sleep before a retry; False when the deadline leaves no time for one, or the run is stopping (an
        interrupted run does not try again, let alone at once)."""
        if deadline.expired or deadline.stopping:
            return False
        delay = deadline.cap(delay)
        self.log('%s; retrying in %.1fs' % (error, delay))
        return not deadline.sleep(delay) and not deadline.expired

    def _send(self, method, path, params, json_body, deadline, auth, headers):
        """One HTTP exchange, within the budget; returns (the requests response, its body bytes)."""
        pacing = self.budget.request(deadline) if self.budget is not None else contextlib.nullcontext()
        try:
            with pacing:
                return self._exchange(method, path, params, json_body, deadline, auth, headers)
        except CdfmcRequestError as exc:
            if exc.method is None:  # raised by the budget itself
                raise CdfmcRequestError('%s %s on %s: %s' % (method, path, self.settings.server, exc),
                                        method=method, path=path, sent=False)
            raise

    def _exchange(self, method, path, params, json_body, deadline, auth, headers):
        timeout = deadline.cap(self.settings.request_timeout)
        if timeout <= 0:
            raise CdfmcRequestError('%s %s on %s: no time left before the deadline' % (
                method, path, self.settings.server), method=method, path=path, sent=False)
        self.request_count += 1
        started = deadline.clock.monotonic()
        watchdog = Watchdog(timeout)
        try:
            with watching(watchdog):
                response = self.session.request(
                    method, self.settings.server + path, params=params, json=json_body, auth=auth, headers=headers,
                    verify=self.settings.verify, timeout=timeout, allow_redirects=False, stream=True)
                self.answered = True
                try:
                    raw = self._read(response, method, path, watchdog)
                finally:
                    watchdog.cancel()  # before the connection goes back to the pool
                    response.close()
        except (OSError, ValueError) as exc:  # requests' exceptions are OSErrors
            raise self._failure(exc, method, path, watchdog, timeout)
        if watchdog.cut:
            # Cut short, what came may still parse: headers cut off look like headers that ended.
            raise CdfmcRequestError('%s %s on %s: %s' % (method, path, self.settings.server,
                                                         self._what_went_wrong(None, watchdog, timeout)),
                                    method=method, path=path)
        self.log('%s %s -> HTTP %d in %.3fs' % (method, path, response.status_code,
                                                deadline.clock.monotonic() - started))
        return response, raw

    def _failure(self, exc, method, path, watchdog, timeout):
        """The CdfmcRequestError for an exchange that raised ``exc``: TLS, the connection, or a request that could
        not be made. It is ``unreached`` when no connection to the server was made: refused, no such host, none within
        the timeout, closed before any answer, a failed TLS handshake, a port that answers TLS to plain HTTP."""
        where = '%s %s on %s' % (method, path, self.settings.server)
        if isinstance(exc, requests.exceptions.SSLError):
            error = CdfmcTLSError('%s: %s' % (where, self.redact(_tls_advice(exc))), method=method, path=path)
            # A certificate that cannot be verified came from a server that answered; a failed handshake did not.
            error.unreached = not any(isinstance(cause, ssl.SSLCertVerificationError) for cause in _walk_causes(exc))
            return error
        if isinstance(exc, requests.exceptions.RequestException):
            if self._answers_tls_instead(exc, watchdog):
                error = CdfmcTLSError('%s: the port answers TLS, not plain HTTP: set base_url to https://%s' % (
                    where, self.settings.netloc + self.settings.base_path), method=method, path=path, sent=False)
                error.unreached = True
                return error
            error = CdfmcRequestError('%s: %s' % (where, self._what_went_wrong(exc, watchdog, timeout)),
                                      method=method, path=path, refused=_is_connection_refused(exc))
            # A read that timed out, or an answer cut short, came from a server that was reached.
            error.unreached = not watchdog.cut and not isinstance(exc, requests.exceptions.ReadTimeout)
            return error
        # requests raises these for a CA bundle path that does not exist, among others.
        return CdfmcRequestError('%s: the request could not be made: %s%s' % (
            where, self.redact(str(exc))[:300],
            '; set ca_path (or CDFMC_CA_PATH) to a CA bundle that exists' if 'CA certificate' in str(exc) else ''),
            method=method, path=path, sent=False)

    def _answers_tls_instead(self, exc, watchdog):
        """After plain HTTP was dropped without an answer by a server never heard from: does the port speak TLS?
        One TLS handshake (certificate not checked: nothing is sent over it) tells, within a few seconds."""
        if self.settings.scheme != 'http' or self.answered or watchdog.cut or _is_connection_refused(exc) or \
                isinstance(exc, requests.exceptions.Timeout):
            return False
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        try:
            with socket.create_connection((self.settings.host, self.settings.port), timeout=TLS_PROBE_TIMEOUT) as raw:
                with context.wrap_socket(raw, server_hostname=self.settings.host):
                    return True
        except (OSError, ValueError):
            return False

    def _what_went_wrong(self, exc, watchdog, timeout):
        if watchdog.cut and not watchdog.headers_cut:
            return 'the response did not complete within %.1fs (request_timeout)' % timeout
        if watchdog.cut or isinstance(exc, requests.exceptions.Timeout):
            return 'no answer within %.1fs (request_timeout)' % timeout
        # Masked first, shortened after: a cut must not split a secret out of the mask.
        return self.redact(_connection_problem(exc, self.settings.host))[:300]

    def _read(self, response, method, path, watchdog):
        watchdog.watch(response)
        chunks = []
        size = 0
        for chunk in response.iter_content(chunk_size=16384):
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                # Not read whole, so no answer: retried like a cut one.
                raise CdfmcResponseError(
                    '%s %s on %s: the response is larger than %d bytes; refusing to read it'
                    % (method, path, self.settings.server, MAX_BODY_BYTES),
                    method=method, path=path, status=response.status_code, kind=NO_ANSWER)
            chunks.append(chunk)
        return b''.join(chunks)

    def _decode(self, method, path, status, raw):
        if not raw.strip():
            return None
        try:
            return json_loads(raw)
        except ValueError as exc:
            what = (str(exc) if isinstance(exc, TooDeep)
                    else 'a body that is not JSON: %s' % (self.redact(_snippet(raw)) or '(blank)'))
            raise CdfmcResponseError('%s %s on %s: HTTP %d with %s' % (method, path, self.settings.server, status, what),
                                     method=method, path=path, status=status)

    def _not_found_advice(self, detail, path):
        """What to check after a 404: the URL tried, the task id and domain for a task, and a path in base_url that
        the server may not have (a gateway's base_url ends in /firewall)."""
        detail = _then(detail, 'the URL tried was %s' % self.redact(self.settings.server + path))
        if '/job/taskstatuses/' in path:
            detail = _then(detail, 'check the task id and domain_uuid')
        if self.settings.base_path and not self.settings.base_path.endswith('/firewall'):
            detail = _then(detail, 'check that base_url is the server\'s address, without a path it does not serve')
        return detail

    def _http_error(self, method, path, response, raw):
        status = response.status_code
        try:
            body = json_loads(raw) if raw.strip() else None
        except ValueError:
            body = None
        descriptions = _error_descriptions(body)
        detail = '; '.join(descriptions) or (_snippet(raw) if raw.strip() and body is None else '')
        if status in (301, 302, 303, 307, 308):
            location = response.headers.get('Location', '')
            detail = 'redirected to %s; set base_url to the address the API is served at' % (
                shown(re.split(r'[?#]', location, maxsplit=1)[0]) or 'an unnamed location')
        elif status == 401:
            detail = _then(detail, 'refused again after the login was renewed' if self.settings.uses_login
                           else 'check api_token (or CDFMC_API_TOKEN)')
        elif status == 404:
            detail = self._not_found_advice(detail, path)
        message = '%s %s on %s: HTTP %d %s' % (method, path, self.settings.server, status, shown(response.reason or '', 80))
        message = message.rstrip() + (': %s' % detail if detail else '')
        retry_after = parse_retry_after(response.headers.get('Retry-After'), self.clock.now())
        return CdfmcRequestError(self.redact(message), method=method, path=path, status=status, retry_after=retry_after,
                                 detail=self.redact('; '.join(descriptions)))
