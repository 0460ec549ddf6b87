# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Small JSON state files shared by this user's processes on this host (the request budget, the login cache).

The one safe way to use them: in a private per-user directory; opened without following links and without
blocking (a FIFO planted there cannot stall a run); only a regular file owned by the user with mode 0600 is
trusted; read with a size and a nesting limit; written whole under another name and renamed into place. A file
that is not usable is replaced under its lock, with one warning. Locks are taken with a timed wait, so a
neighbour that holds one for ever (stopped, stuck) cannot stop a run: the caller gets SharedFileUnavailable
and goes on without the shared file. Lock files are never replaced: that would let two processes in at once.
SharedState puts these together: a JSON object changed under its lock, healed, or this process's own.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import errno
import fcntl
import json
import math
import os
import stat
import tempfile
import threading

from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import Deadline
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcError, CdfmcRequestError
from ansible_collections.cisco.cdfmc.plugins.module_utils._json import loads as json_loads

# How long a shared lock is waited for: the sections it guards last microseconds, so a lock held this long
# belongs to a process that is stuck or stopped.
LOCK_PATIENCE = 5.0
MAX_STATE_BYTES = 256 * 1024
_FIRST_STEP = 0.001
_LONGEST_STEP = 0.05

_OPEN_FLAGS = getattr(os, 'O_NOFOLLOW', 0) | getattr(os, 'O_NONBLOCK', 0) | getattr(os, 'O_CLOEXEC', 0)


class SharedFileUnavailable(CdfmcError):
    """A shared lock was not had in time, or a shared file cannot be used: go on without it."""


def process_alive(pid):
    """True while the process ``pid`` (a holder named in a shared state) exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        pass  # it exists, under another user
    return True


def finite(value, default):
    """``value`` when it is a finite number (whatever a shared file says), else ``default``."""
    usable = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    return value if usable else default


def private_directory():
    """The private per-user directory for shared files (created 0700; refused if it is not private)."""
    directory = os.path.join(tempfile.gettempdir(), 'cisco.cdfmc-%d' % os.getuid())
    try:
        os.mkdir(directory, 0o700)
    except OSError as exc:
        if exc.errno != errno.EEXIST:
            raise CdfmcRequestError('cannot create the directory %s for the request budget and the login cache: %s; '
                                    'check that the temporary directory (TMPDIR) is writable'
                                    % (directory, exc.strerror))
    info = os.lstat(directory)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise CdfmcRequestError(
            'the directory %s for the request budget and the login cache is not a private directory of this user; '
            'remove it and run again' % directory)
    return directory


def _unusable(info):
    """Why a file is not to be trusted, or None for a regular file of this user with mode 0600."""
    if not stat.S_ISREG(info.st_mode):
        return 'not a regular file'
    if info.st_uid != os.getuid():
        return 'owned by another user'
    if info.st_mode & 0o077:
        return 'readable or writable by others (mode %04o)' % stat.S_IMODE(info.st_mode)
    return None


def open_private(path, flags=os.O_RDONLY, create=False):
    """A descriptor of ``path``, which must be a regular file of this user with mode 0600.

    Links are not followed and nothing blocks. Raises OSError (ENOENT when it does not exist and ``create`` is
    False) or SharedFileUnavailable naming what is wrong with it.
    """
    descriptor = os.open(path, flags | _OPEN_FLAGS | (os.O_CREAT if create else 0), 0o600)
    try:
        problem = _unusable(os.fstat(descriptor))
    except OSError:
        os.close(descriptor)
        raise
    if problem:
        os.close(descriptor)
        raise SharedFileUnavailable('%s is %s' % (path, problem))
    return descriptor


@contextlib.contextmanager
def locked(path, deadline=None, patience=LOCK_PATIENCE):
    """Hold the lock file ``path`` (created if needed), waiting at most ``patience`` seconds and not past
    ``deadline`` (a Deadline; None: no bound but the patience); else SharedFileUnavailable. A stopping run ends the
    wait with CdfmcRequestError."""
    try:
        descriptor = open_private(path, os.O_RDWR, create=True)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SharedFileUnavailable('%s is a symbolic link' % path)
        raise SharedFileUnavailable('cannot open %s: %s' % (path, exc.strerror))
    try:
        give_up = (deadline or Deadline()).within(patience)
        step = _FIRST_STEP
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise SharedFileUnavailable('cannot lock %s: %s' % (path, exc.strerror))
            if give_up.expired:
                raise SharedFileUnavailable('%s stayed locked by another process for %.1f s' % (path, patience))
            if give_up.sleep(step):
                raise CdfmcRequestError('interrupted while waiting for the lock %s' % path)
            step = min(step * 2, _LONGEST_STEP)
        yield
    finally:
        os.close(descriptor)  # closing drops the lock


def read_private(path, max_bytes):
    """(content, problem): at most ``max_bytes`` + 1 bytes of a private file, or None and why it cannot be read
    (None, None when there is no file)."""
    try:
        descriptor = open_private(path)
    except SharedFileUnavailable as exc:
        return None, str(exc)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return None, None
        if exc.errno == errno.ELOOP:
            return None, '%s is a symbolic link' % path
        return None, 'cannot read %s: %s' % (path, exc.strerror)
    try:
        with os.fdopen(descriptor, 'rb') as handle:
            return handle.read(max_bytes + 1), None
    except OSError as exc:
        return None, 'cannot read %s: %s' % (path, exc.strerror)


def read_state(path, validate=None, max_bytes=MAX_STATE_BYTES):
    """(state, problem): the JSON object in ``path``, or None and why it cannot be used (None, None when
    there is no file). ``validate(state)`` returns a problem or None."""
    raw, problem = read_private(path, max_bytes)
    if raw is None:
        return None, problem
    if len(raw) > max_bytes:
        return None, '%s is larger than %d bytes' % (path, max_bytes)
    try:
        state = json_loads(raw) if raw.strip() else {}
    except ValueError as exc:
        return None, '%s is not valid: %s' % (path, exc)
    if not isinstance(state, dict):
        return None, '%s does not hold a JSON object' % path
    problem = validate(state) if validate is not None else None
    if problem:
        return None, '%s is not valid: %s' % (path, problem)
    return state, None


def write_state(path, text):
    """Write ``text`` (str or bytes) to ``path`` whole: a new private file renamed into place (a kill leaves the old one, and a
    file that was not usable is replaced). SharedFileUnavailable names the path when that fails."""
    directory, name = os.path.split(path)
    temporary = None
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=name + '.', suffix='.tmp', dir=directory)
        with os.fdopen(descriptor, 'wb') as handle:
            handle.write(text if isinstance(text, bytes) else text.encode('utf-8'))
        os.replace(temporary, path)
        temporary = None
    except OSError as exc:
        raise SharedFileUnavailable('cannot write %s: %s; check that %s is writable and has free space'
                                    % (path, exc.strerror, directory))
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass


class SharedState:
    """A JSON object shared by this user's processes through the private file ``path``, changed under its lock.

    ``session(deadline, patience)`` yields the state (a dict; empty when there is none) under the lock and writes
    it whole when the block ends, if it changed; ``apply(deadline, change)`` is a session around ``change(state)``.
    A file that cannot be used is replaced, with one warning. Once the lock or the file cannot be used, the state is
    this process's own from then on, with one warning; a wait for the lock that ends at ``deadline`` raises
    CdfmcRequestError instead. ``validate(state)`` says why a state is not one this code wrote (or None); ``warn`` is
    told of problems, which name the state as ``what`` (the request budget) and how this process goes on without
    it as ``alone`` (goes on with a budget of its own).
    """

    def __init__(self, path, warn=None, what='the shared state', alone='goes on with a state of its own', validate=None):
        self.path, self.lock_path = path, path + '.lock'
        self._warn, self._what, self._alone, self._validate = warn, what, alone, validate
        self._thread_lock = threading.Lock()  # this process's own state and warnings; the file lock is per open file
        self._own, self._healed = None, False

    def apply(self, deadline, change, patience=LOCK_PATIENCE):
        """What ``change(state)`` returns; the state it changes in place is shared."""
        with self.session(deadline, patience) as state:
            return change(state)

    @contextlib.contextmanager
    def session(self, deadline=None, patience=LOCK_PATIENCE):
        """Yield the state under the lock (waited for ``patience`` seconds at most, not past ``deadline``)."""
        with self._thread_lock, contextlib.ExitStack() as held:
            if self._own is None:
                try:
                    held.enter_context(locked(self.lock_path, deadline, patience))
                except SharedFileUnavailable as exc:
                    self._go_alone(exc, {}, deadline)
            if self._own is not None:
                yield self._own
                return
            state, problem = read_state(self.path, self._validate)
            state = state or {}
            before, ended = json.dumps(state, sort_keys=True), False
            try:
                yield state
                ended = True
            finally:  # a block that raised changes nothing
                if ended and (problem or json.dumps(state, sort_keys=True) != before):
                    self._write(state, problem)

    def _write(self, state, problem):
        try:
            write_state(self.path, json.dumps(state))
        except SharedFileUnavailable as exc:
            self._go_alone(exc, state)
            return
        if problem and not self._healed:
            self._healed = True
            self._tell('%s was damaged and has been replaced (%s)' % (self._what, problem))

    def _go_alone(self, exc, state, deadline=None):
        """Go on with ``state`` as this process's own, unless the deadline is what ended the wait for the lock."""
        if deadline is not None and deadline.expired:
            raise CdfmcRequestError('the deadline came before %s\'s lock was free (%s)' % (self._what, exc))
        self._own = state
        self._tell('%s shared with other processes in %s cannot be used (%s); this process %s. If this lasts, look '
                   'for a stopped process of this user, or remove what is not a regular private file there'
                   % (self._what, os.path.dirname(self.path), exc, self._alone))

    def _tell(self, message):
        if self._warn is not None:
            self._warn('cisco.cdfmc: ' + message)
