# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The HTTP client of cisco.cdfmc: one keep-alive session to one server, with retries.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It never imports AnsibleModule: it raises
CdfmcError subclasses and reports through callbacks, so modules and controller
plugins share it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import heapq
import http.client
import itertools
import os
import re
import socket
import threading
import time
import traceback

from ansible_collections.cisco.cdfmc.plugins.module_utils._connection import validate_identifier, validate_task_id
from ansible_collections.cisco.cdfmc.plugins.module_utils._display import shown
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import (
    CdfmcOptionError,
    CdfmcRequestError,
    CdfmcResponseError,
    CdfmcTLSError,
)
from ansible_collections.cisco.cdfmc.plugins.module_utils._json import TooDeep, loads as json_loads
from ansible_collections.cisco.cdfmc.plugins.module_utils._retry import (
    backoff_delays,
    is_retryable_status,
    parse_retry_after,
)
from ansible_collections.cisco.cdfmc.plugins.module_utils._version import COLLECTION_VERSION

REQUESTS_MINIMUM_VERSION = (2, 32, 4)

try:
    import requests
    from requests.auth import AuthBase
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    AuthBase = object
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None


def requests_version_problem(version=None):
    """None when requests is usable, else a sentence saying what to install."""
    if not HAS_REQUESTS:
        return 'the Python library requests (%s or later) is not installed' % '.'.join(map(str, REQUESTS_MINIMUM_VERSION))
    version = version or requests.__version__
    numbers = tuple(int(part) for part in re.findall(r'\d+', version)[:3])
    if numbers < REQUESTS_MINIMUM_VERSION:
        return 'the Python library requests is %s; %s or later is needed' % (
            version, '.'.join(map(str, REQUESTS_MINIMUM_VERSION)))
    return None


USER_AGENT = 'cisco.cdfmc/%s' % COLLECTION_VERSION
DOMAIN_INFO_PATH = '/fmc_platform/v1/info/domain'
DOMAIN_PAGE_SIZE = 1000

# A task status is a few KiB; anything far larger is not one.
MAX_BODY_BYTES = 8 * 1024 * 1024
_SNIPPET_LENGTH = 160
_REDACTED = '********'
_URL_CREDENTIALS = re.compile(r'(?<=//)[^/@\s]+@')


class BearerTokenAuth(AuthBase):
    """Adds ``Authorization: Bearer <token>`` through requests' auth hook.

    Being an auth hook keeps ~/.netrc from replacing it. ``renew()`` is the seam a
    login-based authenticator fills: it returns True when new credentials were
    obtained and the failed request is worth one more try.
    """

    def __init__(self, token):
        self._token = token

    def __call__(self, request):
        request.headers['Authorization'] = 'Bearer %s' % self._token
        return request

    def __repr__(self):
        return '<BearerTokenAuth>'

    @property
    def secrets(self):
        """Values that must never be shown."""
        return (self._token,)

    marker = None

    def renew(self, client, deadline=None, failed=None):
        """A static token cannot be renewed."""
        return False


def _walk_causes(exc):
    seen = set()
    pending = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending.extend([getattr(current, 'reason', None), current.__cause__, current.__context__])
        pending.extend(arg for arg in getattr(current, 'args', ()) if isinstance(arg, BaseException))


def _is_connection_refused(exc):
    return any(isinstance(cause, ConnectionRefusedError) for cause in _walk_causes(exc))


def _tls_reason(exc):
    """Why the TLS handshake failed, in a few words (the certificate's names come from the server: escaped)."""
    text = str(exc)
    match = re.search(r'certificate verify failed: (.+?)\s*\(_ssl\.c:\d+\)', text)
    if match:
        return shown('certificate verify failed: %s' % match.group(1).strip().rstrip('.'))
    match = re.search(r"hostname '?[^']*'? doesn't match[^\"\\)]*", text)
    if match:
        return shown(match.group(0).strip())
    return 'the TLS handshake failed'


def _tls_advice(reason):
    """The TLS failure with what to do about it: a name mismatch needs another name, not another CA."""
    if 'mismatch' in reason or "doesn't match" in reason:
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


class _WatchdogTimers:
    """One thread that fires the watchdogs of this process when they are due.

    A timer thread per request cost more CPU than the request itself on a wait of hundreds of
    tasks. The thread starts on first use, and again after a fork (threads do not survive one,
    and a lock held at that moment would never be released in the child).
    """

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._reset()
        if hasattr(os, 'register_at_fork'):
            os.register_at_fork(after_in_child=self._reset)

    def _reset(self):
        self._condition = threading.Condition()
        self._due = []
        self._order = itertools.count()
        self._thread = None

    def add(self, watchdog, seconds):
        with self._condition:
            if self._thread is None or not self._thread.is_alive():
                thread = threading.Thread(target=self._run, name='cdfmc-watchdog')
                thread.daemon = True
                thread.start()
                self._thread = thread
            heapq.heappush(self._due, (self._clock() + max(seconds, 0.0), next(self._order), watchdog))
            self._condition.notify()

    def _run(self):
        while True:
            with self._condition:
                while self._due and self._due[0][2].cancelled:
                    heapq.heappop(self._due)
                if not self._due:
                    self._condition.wait()
                    continue
                left = self._due[0][0] - self._clock()
                if left > 0:
                    self._condition.wait(left)
                    continue
                watchdog = heapq.heappop(self._due)[2]
            try:
                watchdog.fire()
            except Exception:  # pylint: disable=broad-except
                pass  # one watchdog that could not act must not leave the others unwatched


_TIMERS = _WatchdogTimers()


class _Watchdog:
    """Ends a response that is still arriving when request_timeout is over (a trickling body).

    requests' timeout bounds each read, not the whole answer; shutting the socket
    down when the time is up bounds it all.
    """

    def __init__(self, seconds, timers=_TIMERS):
        self.fired = False
        self.cut = False
        self.cancelled = False
        self._response = None
        self._lock = threading.Lock()
        timers.add(self, seconds)

    def watch(self, response):
        with self._lock:
            self._response = response
            fired = self.fired
        if fired:
            self._shut(response)

    def fire(self):
        with self._lock:
            if self.cancelled:
                return
            self.fired = True
            response = self._response
        if response is not None:
            self._shut(response)

    def _shut(self, response):
        self.cut = True
        raw = getattr(response, 'raw', None)
        connection = getattr(raw, 'connection', None) or getattr(raw, '_connection', None)
        sock = getattr(connection, 'sock', None)
        try:
            if sock is not None:
                sock.shutdown(socket.SHUT_RDWR)
            else:
                response.close()
        except OSError:
            pass

    def cancel(self):
        with self._lock:
            self.cancelled = True
            self._response = None  # the timers keep a cancelled watchdog until its time; not the response


def _error_descriptions(body):
    """The messages[].description texts of an error body, in either shape FMC sends."""
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


class CdfmcClient:
    """One server, one keep-alive requests session, retries as the settings say.

    ``settings`` is a ConnectionSettings. ``budget`` (a RequestBudget) paces the
    requests, shared with other processes; ``log`` gets one line per request;
    ``sleep`` and ``clock`` (monotonic seconds) are injectable for tests.
    ``request_count`` counts every HTTP request sent, retries included.
    """

    def __init__(self, settings, auth=None, budget=None, log=None, sleep=time.sleep, clock=time.monotonic, warn=None):
        problem = requests_version_problem()
        if problem:
            raise CdfmcRequestError(problem)
        self.settings = settings
        if auth is None:
            if settings.uses_login:
                # Imported here: the login module builds on this one.
                from ansible_collections.cisco.cdfmc.plugins.module_utils._auth import FmcLoginAuth
                auth = FmcLoginAuth(settings, warn=warn)
            else:
                auth = BearerTokenAuth(settings.api_token)
        self.auth = auth
        self._domain_uuid = None
        self._domain_lock = threading.Lock()
        self.budget = budget
        self._log = log
        self._sleep = sleep
        self._clock = clock
        self.request_count = 0
        self.session = requests.Session()
        self.session.headers['User-Agent'] = USER_AGENT
        self.session.headers['Accept'] = 'application/json'
        if settings.scheme == 'http':
            # Plain http is only allowed to loopback: no proxy may see the credentials on the way.
            self.session.trust_env = False
        pool_size = max(10, getattr(budget, 'concurrent', 0))
        self.session.mount('https://', requests.adapters.HTTPAdapter(pool_maxsize=pool_size, max_retries=0))
        self.session.mount('http://', requests.adapters.HTTPAdapter(pool_maxsize=pool_size, max_retries=0))
        if not settings.validate_certs:
            # The user turned verification off on purpose; urllib3 would warn on every request.
            requests.packages.urllib3.disable_warnings(requests.packages.urllib3.exceptions.InsecureRequestWarning)

    def close(self):
        """Close the session's connections."""
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def log(self, message):
        """Pass one line to the log callback, if there is one."""
        if self._log:
            self._log(self.redact(message))

    def redact(self, text):
        """Return text with every secret and URL credential masked."""
        text = _URL_CREDENTIALS.sub(_REDACTED + '@', str(text))
        for secret in getattr(self.auth, 'secrets', ()):
            if secret:
                text = text.replace(secret, _REDACTED)
        return text

    def resolve_domain(self, deadline=None):
        """The domain UUID of the tasks: domain_uuid, else domain looked up by name, else the login's domain."""
        with self._domain_lock:
            if self._domain_uuid is None:
                self._domain_uuid = self._find_domain(deadline)
            return self._domain_uuid

    def _find_domain(self, deadline):
        settings = self.settings
        if settings.uses_login:
            # The first request needs the login anyway: its DOMAINS say which domains exist, at no extra cost.
            self.auth.prepare(self, deadline)
        if settings.domain_uuid:
            return self._login_domain(settings.domain_uuid) if settings.uses_login else settings.domain_uuid
        if settings.uses_login:
            if settings.domain is None:
                if not self.auth.domain_uuid:
                    raise CdfmcResponseError('the login on %s did not name a DOMAIN_UUID; set domain_uuid or domain'
                                             % settings.server, status=204)
                return validate_identifier(self.auth.domain_uuid, 'the login\'s DOMAIN_UUID')
            domains = self.auth.domains
        else:
            domains = self._all_domains(deadline)
        wanted = settings.domain
        matches = [d for d in domains if d.get('name') == wanted] or [
            d for d in domains if str(d.get('name', '')).lower() == wanted.lower()]
        names = sorted(shown(d.get('name')) for d in domains)
        if len(matches) > 1:
            raise CdfmcOptionError('domain %r matches several domains of %s when case is ignored: %s; give it exactly'
                                   % (wanted, settings.server, ', '.join(shown(d.get('name')) for d in matches)))
        if not matches or not matches[0].get('uuid'):
            raise CdfmcOptionError('domain %r is not a domain of %s; its domains are: %s'
                                   % (wanted, settings.server, ', '.join(names) or '(none listed)'))
        return validate_identifier(str(matches[0]['uuid']), 'the UUID of domain %r' % wanted)

    def _login_domain(self, domain_uuid):
        """domain_uuid as the login's DOMAINS spell it; refused when they do not list it, since every task URL
        in it would answer 404 (no DOMAINS at all: taken as given)."""
        domains = self.auth.domains
        if not domains:
            return domain_uuid
        for domain in domains:
            if str(domain.get('uuid')).lower() == domain_uuid.lower():
                return validate_identifier(str(domain['uuid']), 'the login\'s UUID of domain_uuid')
        raise CdfmcOptionError(
            'domain_uuid %s is not one of the domains that %s on %s may use: %s; set domain_uuid to one of them, '
            'or domain by name' % (domain_uuid, self.settings.username, self.settings.server,
                                   ', '.join('%s (%s)' % (shown(d.get('name')), shown(d.get('uuid'))) for d in domains)))

    def _all_domains(self, deadline):
        """Every domain that GET fmc_platform/v1/info/domain lists, page after page."""
        domains = []
        offset = 0
        for _page in range(100):
            body = self.request('GET', DOMAIN_INFO_PATH, params={'offset': offset, 'limit': DOMAIN_PAGE_SIZE},
                                deadline=deadline)
            items = body.get('items') if isinstance(body, dict) else None
            items = [d for d in items if isinstance(d, dict)] if isinstance(items, list) else []
            domains.extend(items)
            paging = body.get('paging') if isinstance(body, dict) else None
            count = paging.get('count') if isinstance(paging, dict) else None
            offset += len(items)
            if not items or not isinstance(count, int) or offset >= count:
                return domains
        return domains

    def get_task_status(self, task_id, detailed_device_status=True, deadline=None):
        """GET one task's status and return its JSON object.

        Raises CdfmcOptionError for a bad id (before any request), CdfmcRequestError
        and subclasses for everything the server or network does wrong.
        """
        validate_task_id(task_id)
        api_path = self.settings.task_status_path(task_id, self.resolve_domain(deadline))
        params = {'showDetailedDeviceStatus': 'true'} if detailed_device_status else None
        body = self.request('GET', api_path, params=params, deadline=deadline)
        if not isinstance(body, dict):
            raise CdfmcResponseError(
                'GET %s on %s: the server answered with %s where a task status object belongs'
                % (self.settings.path(api_path), self.settings.server,
                   'an empty body' if body is None else 'a JSON %s' % type(body).__name__),
                method='GET', path=self.settings.path(api_path), status=200)
        return body

    def request(self, method, api_path, params=None, json_body=None, deadline=None, auth=None, headers=None,
                with_headers=False):
        """Send one API request with retries and return the decoded JSON body (None when empty),
        or (body, response headers) with ``with_headers``.

        ``deadline`` (a clock value) bounds request timeouts and retry sleeps. ``auth``
        replaces the client's credentials for this request (a login), with no renewal.
        """
        method = method.upper()
        path = self.settings.path(api_path)
        url = self.settings.server + path
        delays = backoff_delays()
        retries_left = self.settings.max_retries
        renewed = auth is not None
        prepare = getattr(self.auth, 'prepare', None) if auth is None else None
        while True:
            if prepare is not None:
                prepare(self, deadline)
            try:
                status, reason, response_headers, raw = self._send(
                    method, url, path, params, json_body, deadline, auth or self.auth, headers)
            except CdfmcTLSError:
                raise
            except CdfmcRequestError as exc:
                # A POST that may have reached the server must not run twice.
                retryable = method == 'GET' or exc.refused
                if not retryable or retries_left <= 0 or not self._pause(next(delays), deadline, exc):
                    raise
                retries_left -= 1
                continue

            if 200 <= status < 300:
                body = self._decode(method, path, status, raw)
                return (body, response_headers) if with_headers else body

            retry_unauthorized = False
            if status == 401 and not renewed:
                renewed = True
                # The token this thread actually sent: renew() leaves alone one that another thread replaced.
                if self.auth.renew(self, deadline, self.auth.marker):
                    continue
                # A token that cannot be renewed: cdFMC answers an occasional spurious 401, which Cisco's
                # own client retries once; so do we, within max_retries.
                retry_unauthorized = True

            error = self._http_error(method, path, status, reason, response_headers, raw)
            delay = error.retry_after if error.retry_after is not None else next(delays)
            if status == 429 and self.budget is not None:
                # Every process sharing the budget holds off, not only this one (if it can be told in time).
                try:
                    self.budget.hold(delay, deadline)
                except CdfmcRequestError:
                    pass
            if not (retry_unauthorized or is_retryable_status(method, status, error.detail)) or retries_left <= 0:
                raise error
            if not self._pause(delay, deadline, error):
                raise error
            retries_left -= 1

    def _pause(self, delay, deadline, error):
        """Sleep before a retry; False when the deadline leaves no time for one."""
        if deadline is not None:
            left = deadline - self._clock()
            if left <= 0:
                return False
            delay = min(delay, left)
        if self._log:
            self._log('%s; retrying in %.1fs' % (error, delay))
        self._sleep(delay)
        return deadline is None or deadline - self._clock() > 0

    def _send(self, method, url, path, params, json_body, deadline, auth, headers):
        """One HTTP exchange, within the budget; returns (status, reason, headers, body bytes)."""
        pacing = self.budget.request(deadline) if self.budget is not None else contextlib.nullcontext()
        try:
            with pacing:
                return self._exchange(method, url, path, params, json_body, deadline, auth, headers)
        except CdfmcRequestError as exc:
            if exc.method is None:  # raised by the budget itself
                raise CdfmcRequestError('%s %s on %s: %s' % (method, path, self.settings.server, exc),
                                        method=method, path=path)
            raise

    def _exchange(self, method, url, path, params, json_body, deadline, auth, headers):
        timeout = self.settings.request_timeout
        if deadline is not None:
            timeout = min(timeout, deadline - self._clock())
            if timeout <= 0:
                raise CdfmcRequestError(
                    '%s %s on %s: no time left before the deadline' % (method, path, self.settings.server),
                    method=method, path=path)
        self.request_count += 1
        started = self._clock()
        watchdog = _Watchdog(timeout)
        try:
            response = self.session.request(
                method, url, params=params, json=json_body, auth=auth, headers=headers,
                verify=self.settings.verify, timeout=timeout, allow_redirects=False, stream=True)
            try:
                raw = self._read(response, method, path, watchdog)
            finally:
                watchdog.cancel()
                response.close()
        except requests.exceptions.SSLError as exc:
            raise CdfmcTLSError('%s %s on %s: %s' % (method, path, self.settings.server, _tls_advice(self.redact(_tls_reason(exc)))),
                                method=method, path=path)
        except requests.exceptions.RequestException as exc:
            if watchdog.cut:
                what = 'the response did not complete within %.1fs (request_timeout)' % timeout
            elif isinstance(exc, requests.exceptions.Timeout):
                what = 'no answer within %.1fs (request_timeout)' % timeout
            else:
                # Masked first, shortened after: a cut must not split a secret out of the mask.
                what = self.redact(_connection_problem(exc, self.settings.host))[:300]
            raise CdfmcRequestError(
                '%s %s on %s: %s' % (method, path, self.settings.server, what),
                method=method, path=path, refused=_is_connection_refused(exc))
        except (OSError, ValueError) as exc:
            # requests raises these for a CA bundle path that does not exist, among others.
            raise CdfmcRequestError(
                '%s %s on %s: the request could not be made: %s%s' % (
                    method, path, self.settings.server, self.redact(str(exc))[:300],
                    '; set ca_path (or CDFMC_CA_PATH) to a CA bundle that exists' if 'CA certificate' in str(exc) else ''),
                method=method, path=path)
        if watchdog.cut:
            raise CdfmcRequestError(
                '%s %s on %s: the response did not complete within %.1fs (request_timeout)'
                % (method, path, self.settings.server, timeout), method=method, path=path)
        if self._log:
            self._log('%s %s -> HTTP %d in %.3fs' % (method, path, response.status_code, self._clock() - started))
        return response.status_code, response.reason, response.headers, raw

    def _read(self, response, method, path, watchdog):
        watchdog.watch(response)
        chunks = []
        size = 0
        for chunk in response.iter_content(chunk_size=16384):
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise CdfmcResponseError(
                    '%s %s on %s: the response is larger than %d bytes; refusing to read it'
                    % (method, path, self.settings.server, MAX_BODY_BYTES),
                    method=method, path=path, status=response.status_code)
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

    def _http_error(self, method, path, status, reason, headers, raw):
        try:
            body = json_loads(raw) if raw.strip() else None
        except ValueError:
            body = None
        descriptions = _error_descriptions(body)
        if descriptions:
            detail = '; '.join(descriptions)
        elif raw.strip() and body is None:
            detail = _snippet(raw)
        else:
            detail = ''
        if status in (301, 302, 303, 307, 308):
            location = headers.get('Location', '')
            detail = 'redirected to %s; set base_url to the address the API is served at' % (
                shown(re.split(r'[?#]', location, maxsplit=1)[0]) or 'an unnamed location')
        elif status == 401:
            detail = (detail + '; ' if detail else '') + (
                'refused again after the login was renewed' if self.settings.uses_login
                else 'check api_token (or CDFMC_API_TOKEN)')
        elif status == 404 and not detail:
            detail = 'check the task id and domain_uuid'
        message = '%s %s on %s: HTTP %d %s' % (method, path, self.settings.server, status, shown(reason or '', 80))
        message = message.rstrip() + (': %s' % detail if detail else '')
        retry_after = parse_retry_after(headers.get('Retry-After'), time.time())
        return CdfmcRequestError(self.redact(message), method=method, path=path, status=status, retry_after=retry_after,
                                 detail=self.redact('; '.join(descriptions)))
