# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sanitiser for server text shown in progress lines, warnings, messages and errors."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.cisco.cdfmc.plugins.module_utils._display import MAX_SHOWN, escaped, shown, url_secrets

UNSAFE = [chr(code) for code in list(range(0x00, 0x20)) + list(range(0x7f, 0xa0))] + [
    '\u2028', '\u2029', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069']


@pytest.mark.parametrize('char', UNSAFE)
def test_every_unsafe_character_is_shown_escaped(char):
    text = shown('a%sb' % char)
    assert char not in text and text.startswith('a\\') and text.endswith('b')


def test_named_escapes_and_a_forged_log_line():
    payload = '\x1b[2J\x1b[HDeployed\r\nTASK [fake] ***\nok: [localhost]\u202e'
    assert shown(payload) == '\\x1b[2J\\x1b[HDeployed\\r\\nTASK [fake] ***\\nok: [localhost]\\u202e'
    assert '\n' not in shown(payload) and '\r' not in shown(payload)


def test_ordinary_text_is_unchanged():
    for text in ('Deployment succeeded', 'Ger\u00e4t f\u00fcr Z\u00fcrich', '\u65e5\u672c\u8a9e', "quote ' and \\"):
        assert shown(text) == text


def test_long_fields_are_cut_with_a_marker():
    text = shown('x' * 10000)
    assert text == 'x' * MAX_SHOWN + '... [cut: 10000 characters in all]'
    assert shown('x' * MAX_SHOWN) == 'x' * MAX_SHOWN
    # Escapes count: a field of control characters is cut after escaping too.
    assert len(shown('\x1b' * 400).split('...')[0]) == MAX_SHOWN
    assert shown('abcdef', limit=3) == 'abc... [cut: 6 characters in all]'


def test_values_that_are_not_text():
    assert shown(None) == 'None' and shown(42) == '42' and shown(['a\nb']) == "['a\\nb']"


@given(st.text())
def test_escaping_leaves_nothing_unsafe_and_is_idempotent(text):
    once = escaped(text)
    assert not any(char in once for char in UNSAFE)
    assert escaped(once) == once
    assert not any(char in shown(text) for char in UNSAFE) and len(shown(text)) <= MAX_SHOWN + 40


@pytest.mark.parametrize('name,secret', [
    ('sharedKey', True), ('ftdHABootstrap.sharedKey', True), ('authKeys', True), ('password', True),
    ('snmpCommunity', True), ('ikeV2Psk', True), ('apiToken', True), ('clientSecret', True),
    ('keepLocalEvents', False), ('encKeyGenerationScheme', False), ('bypassMode', False), ('name', False), (None, False),
])
def test_secret_fields_are_known_by_their_name(name, secret):
    from ansible_collections.cisco.cdfmc.plugins.module_utils._display import secret_field
    assert secret_field(name) is secret


def test_secret_fields_are_masked_at_any_depth_and_in_json_text():
    from ansible_collections.cisco.cdfmc.plugins.module_utils._display import mask_secret_fields
    # The bootstrap object of Cisco's own HA pair example.
    bootstrap = {'isEncryptionEnabled': 'false', 'sharedKey': 'cisco123', 'lanFailover': {'activeIP': '1.1.1.1'},
                 'peers': [{'preSharedKey': 'p1', 'name': 'x'}]}
    masked_value = mask_secret_fields('ftdHABootstrap', bootstrap)
    assert masked_value == {'isEncryptionEnabled': 'false', 'sharedKey': '********',
                            'lanFailover': {'activeIP': '1.1.1.1'}, 'peers': [{'preSharedKey': '********', 'name': 'x'}]}
    assert 'cisco123' not in mask_secret_fields('config', json.dumps(bootstrap))
    assert mask_secret_fields('name', '{not json') == '{not json' and mask_secret_fields('sharedKey', 7) == '********'


@pytest.mark.parametrize('value, secrets', [
    ('rediss://cdfmc:S3cr%40t@redis:6379/0', ['rediss://cdfmc:S3cr%40t@redis:6379/0', 'S3cr%40t', 'S3cr@t']),
    ('redis://u:p@ss@redis/1', ['redis://u:p@ss@redis/1', 'p@ss', 'p@ss']),  # "@" unencoded: the last one ends it
    ('redis://cdfmc@redis:6379', ['redis://cdfmc@redis:6379']),
    ('redis://u:pw@redis:port', ['redis://u:pw@redis:port', 'pw', 'pw']),  # bad port: the password still found
    ('redis://u:pw@[::1/0', ['redis://u:pw@[::1/0']),  # cannot be split: masked whole
    ('not a url', ['not a url']),
    (None, [None]),
])
def test_url_secrets_are_the_value_and_its_password_as_written_and_decoded(value, secrets):
    assert url_secrets(value) == secrets
