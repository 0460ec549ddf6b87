# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Text made safe to show: secrets masked, and server text escaped and cut.

Secrets (tokens, passwords, credentials in URLs) are never shown: ``masked`` is the one masker. Text from the
server is data. Before it reaches a terminal or a job log, its control characters are shown
escaped, so that it can neither move the cursor, clear the screen nor forge a log line, and each field is cut
to a length a reader can take in. Registered data (status, message, sub-tasks, raw) is never passed through
this: it stays as the server sent it.

This is an internal module for the cisco.cdfmc collection; it is not a public
API and may change without notice. It does no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from urllib.parse import unquote, urlsplit

# Longest server field shown, in characters (after escaping).
MAX_SHOWN = 500
MASK = '********'
# Credentials in a URL: everything between "//" and the last "@" of the same word (a password may hold "/").
_URL_CREDENTIALS = re.compile(r'(?<=//)\S*@')

# C0 controls (CR, LF and ESC among them), DEL, C1 controls, the Unicode line and paragraph separators, and
# the bidirectional embeddings, overrides and isolates that can make text read otherwise than it is.
_UNSAFE = re.compile(u'[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]')
_NAMED = {'\n': '\\n', '\r': '\\r', '\t': '\\t'}


def _escape(match):
    char = match.group(0)
    code = ord(char)
    return _NAMED.get(char) or ('\\x%02x' % code if code < 0x100 else '\\u%04x' % code)


def escaped(text):
    """``text`` with every control, line-separator and bidi character shown as an escape (no cut).

    Escaping twice changes nothing: the escapes themselves are plain characters.
    """
    return _UNSAFE.sub(_escape, text)


def shown(value, limit=MAX_SHOWN):
    """One field of server text, safe to show: escaped, and cut at ``limit`` characters with a marker."""
    text = value if isinstance(value, str) else str(value)
    length = len(text)
    # Cut before escaping too, so that a huge field costs no more than a short one.
    text = escaped(text[:limit + 1])
    if length > limit or len(text) > limit:
        return '%s... [cut: %d characters in all]' % (text[:limit], length)
    return text


def masked(text, secrets=()):
    """``text`` with every one of ``secrets`` and every credential in a URL replaced by a mask."""
    text = _URL_CREDENTIALS.sub(MASK + '@', str(text))
    for secret in secrets:
        if isinstance(secret, str) and secret:
            text = text.replace(secret, MASK)
    return text


def url_secrets(value):
    """``value``, and when it is a URL that holds a password, that password as written and percent-decoded: what
    is to be masked of a URL shown whole and of its password shown alone (as redis-py's messages may)."""
    found = [value]
    if isinstance(value, str) and '://' in value:
        try:
            password = urlsplit(value).password
        except ValueError:  # not a URL after all (an IPv6 bracket left open): masked whole
            password = None
        if password:
            found.extend((password, unquote(password)))
    return found


# Words in a field's name that make its value a secret (an HA pair's sharedKey, an SNMP community, ...); a name
# that ends in "key" or "keys" is one too, but not "keepLocalEvents" or "encKeyGenerationScheme".
_SECRET_WORDS = ('password', 'passwd', 'passphrase', 'secret', 'token', 'community', 'psk', 'credential')


def secret_field(name):
    """True when a field named ``name`` (possibly dotted: ``ftdHABootstrap.sharedKey``) holds a secret."""
    name = str(name or '').lower()
    return name.endswith(('key', 'keys')) or any(word in name for word in _SECRET_WORDS)


def mask_secret_fields(name, value, _depth=0):
    """``value`` of a field named ``name`` with the values of secret fields masked, at any depth: in objects,
    lists, and text that holds a JSON object or list."""
    if secret_field(name):
        return MASK
    if _depth > 64:
        return MASK  # deeper than any answer the client accepts: nothing of it is worth the risk
    if isinstance(value, dict):
        return dict((key, mask_secret_fields(key, item, _depth + 1)) for key, item in value.items())
    if isinstance(value, list):
        return [mask_secret_fields(None, item, _depth + 1) for item in value]
    if isinstance(value, str) and value.strip()[:1] in ('{', '['):
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        return json.dumps(mask_secret_fields(None, parsed, _depth + 1), sort_keys=True)
    return value


def unexpected(error, redact=None):
    """An error no one expected (a bug, a library's surprise) as a message safe to show: its type and its text,
    with secrets masked (``redact``: a function that masks them) and controls escaped."""
    text = str(error)
    return 'unexpected %s: %s' % (type(error).__name__, shown(redact(text) if redact is not None else text))
