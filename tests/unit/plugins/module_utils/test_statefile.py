# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared state files: private, never followed, never blocking, bounded to read, healed when damaged."""

import fcntl
import os
import stat
import threading
import time

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils import _statefile
from ansible_collections.cisco.cdfmc.plugins.module_utils._deadline import Deadline
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcRequestError
from ansible_collections.cisco.cdfmc.plugins.module_utils._statefile import (
    SharedFileUnavailable,
    SharedState,
    locked,
    open_private,
    private_directory,
    read_state,
    write_state,
)


def test_the_directory_is_private(tmp_path, monkeypatch):
    monkeypatch.setattr(_statefile.tempfile, 'gettempdir', lambda: str(tmp_path))
    directory = private_directory()
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    os.chmod(directory, 0o777)
    with pytest.raises(CdfmcRequestError, match='not a private directory'):
        private_directory()


def test_a_directory_that_cannot_be_made_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(_statefile.tempfile, 'gettempdir', lambda: str(tmp_path / 'no' / 'such'))
    with pytest.raises(CdfmcRequestError, match='cannot create the directory .*no/such/cisco.cdfmc-.*TMPDIR'):
        private_directory()


def planted(tmp_path, kind):
    """A state file as a hostile or careless neighbour might leave it."""
    path = tmp_path / 'state.json'
    if kind == 'fifo':
        os.mkfifo(path, 0o600)
    elif kind == 'symlink to /dev/zero':
        os.symlink('/dev/zero', path)
    elif kind == 'nested JSON':
        path.write_text('[' * 100000 + ']' * 100000)
        os.chmod(path, 0o600)
    elif kind == 'too big':
        path.write_text('{"x": "%s"}' % ('y' * (_statefile.MAX_STATE_BYTES + 1)))
        os.chmod(path, 0o600)
    elif kind == 'mode 0644':
        path.write_text('{"x": 1}')
        os.chmod(path, 0o644)
    elif kind == 'not an object':
        path.write_text('[1, 2]')
        os.chmod(path, 0o600)
    elif kind == 'not JSON':
        path.write_text('{not json')
        os.chmod(path, 0o600)
    return str(path)


@pytest.mark.parametrize('kind,problem', [
    ('fifo', 'not a regular file'), ('symlink to /dev/zero', 'symbolic link'), ('nested JSON', 'nested deeper'),
    ('too big', 'larger than'), ('mode 0644', 'mode 0644'), ('not an object', 'does not hold a JSON object'),
    ('not JSON', 'is not valid'),
])
def test_a_damaged_state_is_refused_quickly_and_replaced_whole(tmp_path, kind, problem):
    path = planted(tmp_path, kind)
    started = time.monotonic()
    state, found = read_state(path)
    assert state is None and problem in found and path in found
    assert time.monotonic() - started < 2  # a FIFO does not block, /dev/zero is not read for ever
    write_state(path, '{"fresh": true}')
    info = os.lstat(path)
    assert stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o600
    assert read_state(path) == ({'fresh': True}, None)
    assert os.listdir(tmp_path) == ['state.json']


def test_no_file_is_no_problem(tmp_path):
    assert read_state(str(tmp_path / 'none.json')) == (None, None)


def test_a_validator_refuses_what_this_code_did_not_write(tmp_path):
    path = str(tmp_path / 'state.json')
    write_state(path, '{"sent": "yes"}')
    state, problem = read_state(path, lambda state: 'sent is not a list' if not isinstance(state['sent'], list) else None)
    assert state is None and 'sent is not a list' in problem


def test_a_failed_write_names_the_path(tmp_path, monkeypatch):
    # As a read-only directory does (permissions alone would not stop root, who runs these tests in CI).
    def read_only(*_args, **_kwargs):
        raise OSError(30, 'Read-only file system')
    monkeypatch.setattr(_statefile.tempfile, 'mkstemp', read_only)
    with pytest.raises(SharedFileUnavailable, match='cannot write .*state.json: Read-only file system; check that .* '
                                                    'is writable and has free space'):
        write_state(str(tmp_path / 'state.json'), '{}')
    assert os.listdir(tmp_path) == []


def test_a_write_cut_short_removes_its_temporary_file(tmp_path, monkeypatch):
    def disk_full(*_args):
        raise OSError(28, 'No space left on device')
    monkeypatch.setattr(_statefile.os, 'replace', disk_full)
    with pytest.raises(SharedFileUnavailable, match='No space left on device'):
        write_state(str(tmp_path / 'state.json'), '{}')
    assert os.listdir(tmp_path) == []


def test_open_private_refuses_files_of_others_and_links(tmp_path):
    target = tmp_path / 'target'
    target.write_text('x')
    os.chmod(target, 0o600)
    os.symlink(target, tmp_path / 'link')
    with pytest.raises(OSError):
        open_private(str(tmp_path / 'link'))
    os.chmod(target, 0o640)
    with pytest.raises(SharedFileUnavailable, match='mode 0640'):
        open_private(str(target))


def test_a_lock_held_for_ever_is_given_up_after_the_patience(tmp_path):
    path = str(tmp_path / 'state.lock')
    holder = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        started = time.monotonic()
        with pytest.raises(SharedFileUnavailable, match='stayed locked by another process for 0.3 s'):
            with locked(path, patience=0.3):
                pass
        assert 0.3 <= time.monotonic() - started < 1.5
        # The deadline, when nearer, ends the wait sooner.
        started = time.monotonic()
        with pytest.raises(SharedFileUnavailable):
            with locked(path, deadline=Deadline(0.1), patience=5):
                pass
        assert time.monotonic() - started < 1
    finally:
        os.close(holder)
    with locked(path, patience=0.3):
        pass


def test_a_lock_file_that_is_not_a_regular_file_is_never_replaced(tmp_path):
    path = tmp_path / 'state.lock'
    os.mkfifo(path, 0o600)
    with pytest.raises(SharedFileUnavailable, match='not a regular file'):
        with locked(str(path)):
            pass
    assert stat.S_ISFIFO(os.lstat(path).st_mode)


def test_a_stop_while_waiting_for_a_lock_ends_the_wait(tmp_path):
    path = str(tmp_path / 'state.lock')
    holder = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        stop = threading.Event()
        stop.set()
        with pytest.raises(CdfmcRequestError, match='interrupted'):
            with locked(path, deadline=Deadline(60, stop=stop)):
                pass
    finally:
        os.close(holder)


def shared_state(tmp_path, warnings, **options):
    options.setdefault('what', 'the test state')
    options.setdefault('alone', 'goes on alone')
    return SharedState(str(tmp_path / 'state.json'), warnings.append, **options)


def count(state):
    state['count'] = state.get('count', 0) + 1
    return state['count']


def test_a_shared_state_is_changed_under_its_lock_and_written_whole(tmp_path):
    warnings = []
    first, second = shared_state(tmp_path, warnings), shared_state(tmp_path, warnings)
    assert [first.apply(Deadline(10), count), second.apply(Deadline(10), count), first.apply(None, count)] == [1, 2, 3]
    assert read_state(first.path) == ({'count': 3}, None) and warnings == []
    assert sorted(os.listdir(tmp_path)) == ['state.json', 'state.json.lock']


def test_a_state_left_as_it_was_is_not_written_and_a_failed_change_not_at_all(tmp_path):
    shared = shared_state(tmp_path, [])
    assert shared.apply(Deadline(10), lambda state: state.get('count')) is None
    assert not os.path.exists(shared.path)
    shared.apply(Deadline(10), count)
    with pytest.raises(ZeroDivisionError):
        with shared.session(Deadline(10)) as state:
            state['count'] = 1 / 0
    assert read_state(shared.path) == ({'count': 1}, None)


def test_a_lock_held_for_ever_leaves_a_state_of_this_process_with_one_warning(tmp_path):
    warnings = []
    shared = shared_state(tmp_path, warnings)
    shared.apply(Deadline(10), count)
    holder = os.open(shared.lock_path, os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)  # another open file: as another process's lock
    try:
        started = time.monotonic()
        assert shared.apply(Deadline(10), count, patience=0.3) == 1  # its own state starts empty
        assert 0.3 <= time.monotonic() - started < 1.5
        started = time.monotonic()
        assert shared.apply(Deadline(10), count, patience=0.3) == 2  # no second wait for the lock
        assert time.monotonic() - started < 0.3
    finally:
        os.close(holder)
    (warning,) = warnings
    assert warning.startswith('cisco.cdfmc: the test state shared with other processes in %s cannot be used' % tmp_path)
    assert 'stayed locked by another process for 0.3 s' in warning and 'this process goes on alone.' in warning
    assert read_state(shared.path) == ({'count': 1}, None)  # the file is left to the others


def test_a_deadline_nearer_than_the_patience_ends_the_wait_for_the_lock_with_an_error(tmp_path):
    warnings = []
    shared = shared_state(tmp_path, warnings)
    shared.apply(Deadline(10), count)
    holder = os.open(shared.lock_path, os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        started = time.monotonic()
        with pytest.raises(CdfmcRequestError, match="the deadline came before the test state's lock was free"):
            shared.apply(Deadline(0.2), count, patience=5)
        assert time.monotonic() - started < 1
    finally:
        os.close(holder)
    assert warnings == [] and shared.apply(Deadline(10), count) == 2  # still shared


@pytest.mark.parametrize('kind', ['fifo', 'symlink to /dev/zero', 'not JSON', 'mode 0644', 'foreign'])
def test_a_damaged_or_foreign_state_file_is_healed_with_one_warning(tmp_path, kind):
    warnings = []
    path = planted(tmp_path, 'not JSON' if kind == 'foreign' else kind)
    if kind == 'foreign':
        write_state(path, '{"count": "many"}')
    shared = shared_state(tmp_path, warnings, validate=lambda state: None if isinstance(state['count'], int) else 'count')
    assert shared.apply(Deadline(10), count) == 1
    assert stat.S_ISREG(os.lstat(path).st_mode) and stat.S_IMODE(os.lstat(path).st_mode) == 0o600
    os.unlink(path)
    planted(tmp_path, 'not JSON')  # damaged again: healed again, not told again
    assert shared.apply(Deadline(10), count) == 1 and shared.apply(Deadline(10), count) == 2
    (warning,) = warnings
    assert warning.startswith('cisco.cdfmc: the test state was damaged and has been replaced (%s ' % path)


def test_a_state_that_cannot_be_written_goes_on_as_this_process_own(tmp_path, monkeypatch):
    warnings = []
    shared = shared_state(tmp_path, warnings)
    changes = []

    def change(state):
        changes.append(count(state))
        return changes[-1]

    def read_only(*_args, **_kwargs):
        raise OSError(30, 'Read-only file system')
    monkeypatch.setattr(_statefile.tempfile, 'mkstemp', read_only)
    assert shared.apply(Deadline(10), change) == 1 and shared.apply(Deadline(10), change) == 2
    assert changes == [1, 2]  # each change made once, the first one kept
    (warning,) = warnings
    assert 'cannot write' in warning and 'Read-only file system' in warning and 'goes on alone' in warning
