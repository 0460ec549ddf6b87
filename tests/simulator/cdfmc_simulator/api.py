# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the simulated cdFMC answers: scenario, tasks over time, faults and the rate limit.

No sockets here: ``Simulator.handle()`` takes a request and returns a Reply, which
the server writes (or, for the drop and slow faults, mistreats).
"""

import base64
import collections
import email.utils
import hashlib
import json
import re
import threading
import time
import uuid

from . import api_description
from .fleet import Fleet

GLOBAL_DOMAIN_UUID = 'e276abec-e0f2-11e3-8169-6d9ed49b625f'
DEFAULT_TOKEN = 'sim-token'
# How many distinct answers answers() keeps: enough for a whole test run, bounded for a long-lived server.
ANSWERS_KEPT = 5000

# cdFMC behind the gateway (/firewall/v1/cdfmc/api/...) or a tenant host / on-prem FMC (/api/...).
_API_PATH = re.compile(r'\A(?:/[A-Za-z0-9._~-]+)*?(?:/v1/cdfmc/api|/api)(?P<rest>/.*)\Z')
_TASK_PATH = re.compile(r'\A/fmc_config/v1/domain/(?P<domain>[^/]+)/job/taskstatuses/(?P<task>[^/]+)\Z')
_DEPLOY_PATH = re.compile(r'\A/fmc_config/v1/domain/(?P<domain>[^/]+)/deployment/deploymentrequests\Z')
_ROLLBACK_PATH = re.compile(r'\A/fmc_config/v1/domain/(?P<domain>[^/]+)/deployment/rollbackrequests\Z')
# The lists of the fleet: name -> path after /fmc_config/v1/domain/{domain}.
_LISTS = {
    'devicerecords': '/devices/devicerecords', 'ftddevicehapairs': '/devicehapairs/ftddevicehapairs',
    'ftddevicecluster': '/deviceclusters/ftddevicecluster', 'deployabledevices': '/deployment/deployabledevices',
    'jobhistories': '/deployment/jobhistories',
}
_LIST_PATH = re.compile(r'\A/fmc_config/v1/domain/(?P<domain>[^/]+)(?P<list>%s)\Z'
                        % '|'.join(map(re.escape, _LISTS.values())))
_PENDING_PATH = re.compile(r'\A/fmc_config/v1/domain/(?P<domain>[^/]+)/deployment/deployabledevices/(?P<unit>[^/]+)'
                           r'/pendingchanges\Z')
_LOGIN_PATH = '/fmc_platform/v1/auth/generatetoken'
_REFRESH_PATH = '/fmc_platform/v1/auth/refreshtoken'
_DOMAIN_INFO_PATH = '/fmc_platform/v1/info/domain'

# Task types whose sub-tasks appear only with showDetailedDeviceStatus=true, as the API doc says.
DETAILED_TASK_TYPES = frozenset(('DEVICE_DEPLOYMENT', 'DEVICE_ROLLBACK'))


class Reply:
    """An HTTP answer, or a fault for the server to act out (action: drop, slow)."""

    def __init__(self, status=200, body=None, headers=None, raw=None, content_type='application/json',
                 action=None, delay=0.0):
        self.status = status
        self.headers = dict(headers or {})
        self.content_type = content_type
        self.action = action
        self.delay = delay
        if raw is not None:
            self.payload = raw if isinstance(raw, bytes) else raw.encode('utf-8')
        elif body is not None:
            self.payload = json.dumps(body).encode('utf-8')
        else:
            self.payload = b''


def error_body(description, category='OTHER', wrapped=True):
    """An FMC error body: wrapped in "error" as servers send it, or bare as the API doc's schema."""
    error = {'category': category, 'messages': [{'description': description}], 'severity': 'ERROR'}
    return {'error': error} if wrapped else error


class Timeline:
    """Values over time: a list of {at: seconds, ...fields}; the latest entry not after now wins."""

    def __init__(self, entries):
        self.entries = sorted((dict(entry) for entry in entries or []), key=lambda entry: float(entry.get('at', 0)))

    def at(self, elapsed):
        current = {}
        for entry in self.entries:
            if float(entry.get('at', 0)) <= elapsed:
                current.update((key, value) for key, value in entry.items() if key != 'at')
        return current

    @property
    def end(self):
        return max([float(entry.get('at', 0)) for entry in self.entries] or [0.0])


class Task:
    """One scripted task: its own timeline and one timeline per sub-task, from its start time."""

    def __init__(self, spec, started):
        self.id = str(spec['id'])
        self.task_type = spec.get('task_type', 'DEVICE_DEPLOYMENT')
        self.type = spec.get('type', 'TaskStatus')
        # starts: first_request makes the timeline begin at the task's first GET (deterministic tests).
        self.started = None if spec.get('starts') == 'first_request' else started + float(spec.get('start', 0))
        self.timeline = Timeline(spec.get('timeline') or [{'at': 0, 'status': 'Pending'}])
        self.sub_tasks = [
            (dict(sub.get('target') or {}), Timeline(sub.get('timeline')))
            for sub in spec.get('sub_tasks') or []
        ]
        self.raw = spec.get('raw')
        # As FMC does: a new task may answer 404 for its first seconds, and some tasks are deleted once they end.
        self.visible_from = started + float(spec.get('hidden_for', 0))
        self.deleted_at = spec.get('deleted_at')

    def visible(self, now):
        """False while the task is not visible yet, and once it has been deleted."""
        if now < self.visible_from:
            return False
        if self.deleted_at is not None and self.started is not None:
            return now - self.started < float(self.deleted_at)
        return True

    def body(self, now, detailed, base):
        if self.raw is not None:
            return self.raw
        if self.started is None:
            self.started = now
        elapsed = now - self.started
        current = self.timeline.at(elapsed)
        body = {
            'id': self.id,
            'type': self.type,
            'taskType': self.task_type,
            'status': current.get('status', 'Pending'),
            'links': {'self': '%s/job/taskstatuses/%s' % (base, self.id)},
        }
        for key in ('message', 'description'):
            if key in current:
                body[key] = current[key]
        if self.sub_tasks and (detailed or self.task_type not in DETAILED_TASK_TYPES):
            body['subTasks'] = []
            for target, timeline in self.sub_tasks:
                sub = timeline.at(elapsed)
                entry = {'status': sub.get('status', 'PENDING'),
                         'target': dict(target, type=target.get('type', 'Device'))}
                if 'message' in sub:
                    entry['message'] = sub['message']
                body['subTasks'].append(entry)
        return body


class Simulator:
    """The simulated server's state; thread-safe. ``clock`` is monotonic seconds."""

    def __init__(self, scenario=None, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self.load(scenario or {})

    def load(self, scenario):
        """Replace the scenario, restart its clock and clear the request log. Raises ValueError, the scenario
        loaded before left as it was, when the scenario's ``history`` names what is not in it."""
        with self._lock:
            now = self._clock()
            fleet = Fleet(scenario, now, self._wall_ms())
            self.loaded_at = now
            self.scenario = scenario
            self.token = scenario.get('api_token', DEFAULT_TOKEN)
            domains = scenario.get('domains') or [{'name': 'Global', 'uuid': GLOBAL_DOMAIN_UUID}]
            self.domain_list = [d if isinstance(d, dict) else {'name': d, 'uuid': d} for d in domains]
            self.domains = set(d['uuid'] for d in self.domain_list)
            # auth.mode fmc: on-prem login with user name and password, expiring access tokens.
            auth = scenario.get('auth') or {}
            self.auth_mode = auth.get('mode', 'token')
            self.username = auth.get('username', 'admin')
            self.password = auth.get('password', 'sim-password')
            self.token_lifetime = float(auth.get('token_lifetime', 1800))
            self.max_refreshes = int(auth.get('max_refreshes', 3))
            self.access_tokens = {}   # access token -> (issued at, refresh token)
            self.refresh_tokens = {}  # refresh token -> refreshes used
            self.logins = 0
            self.refreshes = 0
            self.issued = []  # every token handed out, for tests that look for leaks
            self.tasks = dict((str(spec['id']), Task(spec, now)) for spec in scenario.get('tasks') or [])
            self.fleet = fleet
            self.faults = [dict(fault) for fault in scenario.get('faults') or []]
            rate_limit = scenario.get('rate_limit') or {}
            self.rate_limit = int(rate_limit.get('requests_per_minute') or 0)
            self.rate_limit_retry_after = bool(rate_limit.get('retry_after', True))
            self.window = collections.deque()
            self.requests = []
            self.task_counter = 0
            # What an older FMC lacks: job history (before 6.7) and query parameters on task statuses (6.6).
            self.job_history = bool(scenario.get('job_history', True))
            self.task_query_parameters = bool(scenario.get('task_query_parameters', True))
            # paging: {max_limit: N} serves at most N items a page; {counts_as_text: true} sends counts as strings.
            self.paging = dict(scenario.get('paging') or {})
            # rollback: {task: false} accepts a rollback without naming a task, as Cisco's example answer does.
            self.rollback_task = bool((scenario.get('rollback') or {}).get('task', True))

    @staticmethod
    def _wall_ms():
        return int(time.time() * 1000)

    def change(self, unit_id, spec):
        """A change made now to a device, pair or cluster (the admin API): listed after the list's lag."""
        with self._lock:
            self.fleet.change(unit_id, spec, self._clock(), self._wall_ms())

    def request_log(self):
        with self._lock:
            return list(self.requests)

    def _take_fault(self, method, path):
        for fault in self.faults:
            match = fault.get('match') or {}
            if match.get('method') and match['method'].upper() != method:
                continue
            if match.get('path') and match['path'] not in path:
                continue
            times = fault.get('times', 1)
            if times is not None:
                if times <= 0:
                    continue
                fault['times'] = times - 1
            return fault
        return None

    def _rate_limited(self, now):
        if not self.rate_limit:
            return None
        while self.window and self.window[0] <= now - 60.0:
            self.window.popleft()
        if len(self.window) >= self.rate_limit:
            wait = max(1, int(self.window[0] + 60.0 - now + 0.999))
            return wait
        self.window.append(now)
        return None

    def handle(self, method, path, query, headers, body):
        """Answer one request (path without the query string; query a dict of lists). Each distinct answer is
        kept for ``answers()``, across scenarios."""
        with self._lock:
            now = self._clock()
            times_left = [fault.get('times', 1) for fault in self.faults]  # a fault taken counts down
            record = {'method': method, 'path': path, 'query': query, 'time': now, 'since_load': now - self.loaded_at,
                      'authorized': self._authorized(headers, now),
                      'user_agent': headers.get('User-Agent')}
            if path.endswith(('/deployment/deploymentrequests', '/deployment/rollbackrequests')):
                record['body'] = body  # what was asked to deploy or roll back (neither request carries a secret)
            self.requests.append(record)
            reply = self._answer(method, path, query, headers, body, now)
            record['status'] = reply.status if reply.action != 'drop' else None
            if reply.action == 'drop':
                return reply
            # An answer a fault scripted is off Cisco's description on purpose: kept as such, without its body.
            always = [fault.get('match') or {} for fault in self.faults if fault.get('times', 1) is None]
            scripted = reply.action is not None or times_left != [f.get('times', 1) for f in self.faults] or any(
                (match.get('path') or '') in path and (match.get('method') or method).upper() == method
                for match in always)
            answer = {'method': method, 'path': path, 'query': query, 'status': reply.status, 'fault': scripted}
            if not scripted:
                try:
                    answer['body'] = json.loads(reply.payload) if reply.payload else None
                except ValueError:
                    answer['body'] = reply.payload.decode('utf-8', 'replace')[:200]
            key = json.dumps([method, path, query, reply.status, scripted], sort_keys=True).encode() + reply.payload
            kept = self.__dict__.setdefault('_answers', {})  # not cleared by load(): the whole run is checked
            if len(kept) < ANSWERS_KEPT:
                kept.setdefault(hashlib.sha1(key).hexdigest(), answer)
            return reply

    def answers(self):
        """Each distinct answer given since the simulator started, the first ANSWERS_KEPT: method, path, query,
        status, ``fault`` (a fault scripted it) and, unless it did, the body (parsed when it is JSON)."""
        with self._lock:
            return list(self.__dict__.get('_answers', {}).values())

    def _answer(self, method, path, query, headers, body, now):
        match = _API_PATH.match(path)
        if not match:
            return Reply(404, error_body('Resource not found: %s' % path, wrapped=False))

        wait = self._rate_limited(now)
        if wait is not None:
            headers_out = {'Retry-After': str(wait)} if self.rate_limit_retry_after else {}
            return Reply(429, error_body('Too many requests. Try again later.'), headers=headers_out)

        fault = self._take_fault(method, path)
        if fault is not None:
            reply = self._fault_reply(fault)
            if reply.action != 'slow':
                return reply
            delay = reply.delay
        else:
            delay = 0.0

        rest = match.group('rest')
        if rest == _LOGIN_PATH and method == 'POST':
            return self._login(headers, now)
        if rest == _REFRESH_PATH and method == 'POST':
            return self._refresh(headers, now)
        if not self._authorized(headers, now):
            return Reply(401, error_body('Invalid or expired access token.', category='FRAMEWORK'))
        if rest == api_description.PATH and method == 'GET':
            return Reply(200, api_description.document())
        if rest == _DOMAIN_INFO_PATH and method == 'GET':
            return self._domain_info(query)
        reply = self._route(method, path, rest, query, body, now)
        if delay:
            reply.action, reply.delay = 'slow', delay
        return reply

    def _domain_info(self, query):
        """The domains, paged as FMC collections are: 25 items unless asked otherwise."""
        offset = int((query.get('offset') or ['0'])[-1])
        limit = int((query.get('limit') or ['25'])[-1])
        items = [{'uuid': d['uuid'], 'name': d['name'], 'type': 'Domain'} for d in self.domain_list]
        pages = max(1, -(-len(items) // limit))
        return Reply(200, {'items': items[offset:offset + limit],
                           'paging': {'offset': offset, 'limit': limit, 'count': len(items), 'pages': pages}})

    def _route(self, method, path, rest, query, body, now):
        """The answer of an authorised request to the fmc_config API (``rest``: the path after the prefix)."""
        base = path[:len(path) - len(rest)] + rest.split('/job/')[0]
        task_match = _TASK_PATH.match(rest)
        if task_match and method == 'GET':
            return self._task_status(task_match, query, now, base)
        if _DEPLOY_PATH.match(rest) and method == 'POST':
            return self._deploy(_DEPLOY_PATH.match(rest), body, now, path)
        if _ROLLBACK_PATH.match(rest) and method == 'POST':
            return self._rollback(_ROLLBACK_PATH.match(rest), body, now, path)
        if _LIST_PATH.match(rest) and method == 'GET':
            return self._list(_LIST_PATH.match(rest), query, now)
        if _PENDING_PATH.match(rest) and method == 'GET':
            return self._pending_changes(_PENDING_PATH.match(rest), query, now)
        if task_match or _DEPLOY_PATH.match(rest) or _ROLLBACK_PATH.match(rest):
            return Reply(405, error_body('Method %s is not allowed here.' % method, wrapped=False))
        return Reply(404, error_body('Resource not found: %s' % path, wrapped=False))

    def _authorized(self, headers, now):
        if self.auth_mode == 'fmc':
            issued = self.access_tokens.get(headers.get('X-auth-access-token'))
            return issued is not None and now < issued[0] + self.token_lifetime
        return headers.get('Authorization') == 'Bearer %s' % self.token

    def _issue(self, now, refresh_token=None):
        access_token = str(uuid.uuid4())
        if refresh_token is None:
            refresh_token = str(uuid.uuid4())
            self.refresh_tokens[refresh_token] = 0
            self.issued.append(refresh_token)
        self.issued.append(access_token)
        self.access_tokens[access_token] = (now, refresh_token)
        first = self.domain_list[0]
        return Reply(204, headers={
            'X-auth-access-token': access_token, 'X-auth-refresh-token': refresh_token,
            'DOMAIN_UUID': first['uuid'], 'DOMAINS': json.dumps(self.domain_list), 'global': first['name']})

    def _login(self, headers, now):
        if self.auth_mode != 'fmc':
            return Reply(404, error_body('Resource not found.', wrapped=False))
        expected = 'Basic ' + base64.b64encode(('%s:%s' % (self.username, self.password)).encode()).decode()
        if headers.get('Authorization') != expected:
            return Reply(401, error_body('Authentication failed: the user name or password is not valid.',
                                         category='FRAMEWORK'))
        self.logins += 1
        return self._issue(now)

    def _refresh(self, headers, now):
        if self.auth_mode != 'fmc':
            return Reply(404, error_body('Resource not found.', wrapped=False))
        issued = self.access_tokens.get(headers.get('X-auth-access-token'))
        refresh_token = headers.get('X-auth-refresh-token')
        if issued is None or issued[1] != refresh_token or refresh_token not in self.refresh_tokens:
            return Reply(401, error_body('Invalid access or refresh token.', category='FRAMEWORK'))
        if self.refresh_tokens[refresh_token] >= self.max_refreshes:
            return Reply(401, error_body('Refresh token has been used %d times; log in again.' % self.max_refreshes,
                                         category='FRAMEWORK'))
        self.refresh_tokens[refresh_token] += 1
        self.refreshes += 1
        # The old access token stops working once refreshed.
        del self.access_tokens[headers.get('X-auth-access-token')]
        return self._issue(now, refresh_token)

    def _fault_reply(self, fault):
        action = fault.get('action', 'status')
        if action == 'drop':
            return Reply(action='drop')
        if action == 'slow':
            return Reply(action='slow', delay=float(fault.get('delay', 2)))
        if action == 'trickle_head':
            # A whole, valid answer whose status line and headers come one byte at a time.
            return Reply(200, {'id': 'trickle', 'type': 'TaskStatus', 'status': 'RUNNING'},
                         headers={'X-Padding': 'x' * 400}, action='trickle_head', delay=float(fault.get('delay', 0.05)))
        if action == 'trickle':
            # A whole, valid answer sent one byte at a time.
            return Reply(200, {'id': 'trickle', 'type': 'TaskStatus', 'status': 'RUNNING', 'message': 'x' * 40},
                         action='trickle', delay=float(fault.get('delay', 0.5)))
        if action == 'huge':
            # A valid task status padded past any sane size (the client caps what it reads).
            size = int(fault.get('size', 9 * 1024 * 1024))
            return Reply(200, {'id': 'huge', 'type': 'TaskStatus', 'status': 'RUNNING', 'message': 'x' * size})
        if action == 'cut':
            # Headers promise a whole body; half of it comes, then the connection closes.
            return Reply(200, {'id': 'cut', 'type': 'TaskStatus', 'status': 'RUNNING', 'message': 'x' * 200},
                         action='cut')
        if action == 'raw':
            return Reply(int(fault.get('status', 200)), raw=fault.get('body', ''),
                         content_type=fault.get('content_type', 'application/json'))
        if action == 'empty':
            return Reply(int(fault.get('status', 200)), raw=b'')
        if action == 'invalid_json':
            return Reply(200, raw='{"id": "truncated", "status": ')
        if action == 'html':
            page = ('<html><head><title>502 Bad Gateway</title><style>body{color:red}</style></head>'
                    '<body><h1>502 Bad Gateway</h1><p>The proxy could not reach the server.</p></body></html>')
            return Reply(int(fault.get('status', 502)), raw=page, content_type='text/html')
        status = int(fault.get('status', 503))
        headers = dict(fault.get('headers') or {})
        retry_after = fault.get('retry_after')
        if retry_after == 'date':
            headers['Retry-After'] = email.utils.formatdate(time.time() + 2, usegmt=True)
        elif retry_after is not None:
            headers['Retry-After'] = str(retry_after)
        return Reply(status, error_body(fault.get('message', 'Simulated fault (HTTP %d).' % status)), headers=headers)

    def _task_status(self, match, query, now, base):
        domain, task_id = match.group('domain'), match.group('task')
        if domain not in self.domains:
            return Reply(404, error_body('Domain %s not found.' % domain, wrapped=False))
        task = self.tasks.get(task_id)
        if task is None or not task.visible(now):
            return Reply(404, error_body('Task %s not found.' % task_id, wrapped=False))
        if query and not self.task_query_parameters:
            return Reply(400, error_body('Invalid query parameter(s): %s.' % ', '.join(sorted(query)),
                                         category='VALIDATION'))
        detailed = (query.get('showDetailedDeviceStatus') or ['false'])[-1].lower() == 'true'
        return Reply(200, task.body(now, detailed, base))

    def _list(self, match, query, now):
        if match.group('domain') not in self.domains:
            return Reply(404, error_body('Domain %s not found.' % match.group('domain'), wrapped=False))
        fleet = self.fleet
        which = match.group('list')
        if which == _LISTS['jobhistories']:
            if not self.job_history:
                return Reply(404, error_body('Resource not found: %s' % which, wrapped=False))
            wanted = dict(part.split(':', 1) for part in (query.get('filter') or [''])[-1].split(';') if ':' in part)
            if ('startTime' in wanted) != ('endTime' in wanted):
                return Reply(400, error_body('startTime and endTime should be specified together.',
                                             category='VALIDATION'))
            if not all(wanted.get(key, '0').isdigit() for key in ('startTime', 'endTime')):
                return Reply(400, error_body('startTime and endTime are unix times in seconds.', category='VALIDATION'))
            items = fleet.job_histories(now, wanted)
        else:
            items = {_LISTS['devicerecords']: fleet.device_records, _LISTS['ftddevicehapairs']: fleet.ha_pairs,
                     _LISTS['ftddevicecluster']: fleet.clusters,
                     _LISTS['deployabledevices']: lambda: fleet.deployable(now)}[which]()
        return Reply(200, _page(_expanded(items, query), query, self.paging))

    def _pending_changes(self, match, query, now):
        items = self.fleet.pending_changes(match.group('unit'), now)
        if items is None:
            return Reply(404, error_body('Device %s has no pending changes.' % match.group('unit'), wrapped=False))
        return Reply(200, _page(_expanded(items, query), query, self.paging))

    def _deploy(self, match, body, now, path):
        domain = match.group('domain')
        if domain not in self.domains:
            return Reply(404, error_body('Domain %s not found.' % domain, wrapped=False))
        problem = None
        if not isinstance(body, dict):
            problem = 'The request body must be a JSON object.'
        elif body.get('type') != 'DeploymentRequest':
            problem = 'type must be DeploymentRequest.'
        elif not isinstance(body.get('deviceList'), list) or not body['deviceList']:
            problem = 'deviceList must list at least one device.'
        else:
            unknown = [str(device) for device in body['deviceList']
                       if str(device) not in self.fleet.units and str(device) not in self.fleet.container]
            if unknown:
                problem = 'Unknown device(s): %s.' % ', '.join(unknown)
        if problem:
            return Reply(400, error_body(problem, category='VALIDATION'))
        status, outcome = self.fleet.request(body, now, self._wall_ms())
        if status != 202:
            return _refused(status, *outcome)
        return Reply(202, dict(body, metadata={'task': self._new_task(outcome, now, path)}))

    def _rollback(self, match, body, now, path):
        """A rollback request: refused with 400 VALIDATION, or accepted with 202, the request echoed and, unless
        the scenario says ``rollback: {task: false}``, the DEVICE_ROLLBACK task under ``metadata.task``."""
        if match.group('domain') not in self.domains:
            return Reply(404, error_body('Domain %s not found.' % match.group('domain'), wrapped=False))
        status, outcome = self.fleet.roll_back(body, now)
        if status != 202:
            return _refused(status, outcome, 'VALIDATION')
        if not self.rollback_task:
            return Reply(202, dict(body))
        return Reply(202, dict(body, metadata={'task': self._new_task(outcome, now, path)}))

    def _new_task(self, job, now, path):
        """Start the task of a job (a deployment or a rollback); what a POST answer says of it."""
        spec = self.fleet.task_spec(job)
        self.tasks[spec['id']] = Task(spec, now)
        # As FMC may: the task echoed in a POST answer carries a "status" that is no task state.
        return {'id': spec['id'], 'type': 'TaskStatus', 'taskType': spec['task_type'], 'status': '200',
                'links': {'self': '%s/job/taskstatuses/%s' % (path.rsplit('/deployment/', 1)[0], spec['id'])}}


def _refused(status, descriptions, category):
    """An FMC error answer, wrapped in "error", with one message per description."""
    return Reply(status, {'error': {'category': category, 'severity': 'ERROR',
                                    'messages': [{'description': text} for text in descriptions]}})


def _expanded(items, query):
    """The items of a list as FMC gives them: whole with ``expanded=true``, else only what names each one."""
    if (query.get('expanded') or ['false'])[-1].lower() == 'true':
        return items
    return [dict((key, item[key]) for key in ('id', 'name', 'type', 'links') if key in item) for item in items]


def _page(items, query, paging=None):
    """One page of an FMC list (25 items unless asked otherwise, at most ``max_limit``); an empty list has no
    ``items``, as FMC's. With ``counts_as_text`` the paging numbers are strings, as in cdFMC's examples."""
    paging = paging or {}
    offset = int((query.get('offset') or ['0'])[-1])
    limit = min(int((query.get('limit') or ['25'])[-1]), int(paging.get('max_limit') or 1000))
    numbers = {'offset': offset, 'limit': limit, 'count': len(items), 'pages': max(1, -(-len(items) // limit))}
    answer = {'paging': dict((key, str(value) if paging.get('counts_as_text') else value)
                             for key, value in numbers.items()), 'links': {}}
    if items[offset:offset + limit]:
        answer['items'] = items[offset:offset + limit]
    return answer
