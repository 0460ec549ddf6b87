# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # The connection options as modules take them (environment fallbacks read where the module runs).
    DOCUMENTATION = r'''
options:
  base_url:
    description:
      - URL of the server, for example V(https://api.us.security.cisco.com/firewall) (the Security Cloud Control
        gateway of a cdFMC), V(https://example-tenant.app.us.cdo.cisco.com) (a cdFMC tenant host) or
        V(https://fmc.example.com) (an on-prem FMC).
      - Exactly one of O(base_url) and O(region) is required.
      - Plain C(http://) is refused unless the host is a loopback address.
      - If not set, the environment variable E(CDFMC_BASE_URL) is used. An empty value counts as unset.
    type: str
  region:
    description:
      - Shortcut for the Security Cloud Control gateway of a region (cdFMC only), for example V(us) stands for
        V(https://api.us.security.cisco.com/firewall).
      - The regions are those that Cisco's cdFMC getting-started guide confirms; for any other, set O(base_url).
      - Exactly one of O(base_url) and O(region) is required.
      - If not set, the environment variable E(CDFMC_REGION) is used. An empty value counts as unset.
    type: str
    choices: [apj, au, eu, in, us]
  api_token:
    description:
      - "The Security Cloud Control API token of a cdFMC, sent as C(Authorization: Bearer)."
      - Exactly one of O(api_token) and O(username) with O(password) is required.
      - If not set, the environment variable E(CDFMC_API_TOKEN) is used. An empty value counts as unset.
    type: str
  username:
    description:
      - User name of an on-prem FMC login (API access). The login's access token is renewed before it expires
        (refreshed three times, then a new login), and shared by the forks of a run through a cache file
        readable only by its owner that holds the tokens, never the password.
      - If not set, the environment variable E(CDFMC_USERNAME) is used. An empty value counts as unset.
    type: str
  password:
    description:
      - Password of O(username).
      - If not set, the environment variable E(CDFMC_PASSWORD) is used. An empty value counts as unset.
    type: str
  domain_uuid:
    description:
      - UUID of the domain that owns the task. Mutually exclusive with O(domain).
      - Defaults to the global domain of every cdFMC, V(e276abec-e0f2-11e3-8169-6d9ed49b625f), with an API token,
        and to the login's C(DOMAIN_UUID) on an on-prem FMC.
      - If not set, the environment variable E(CDFMC_DOMAIN_UUID) is used. An empty value counts as unset.
    type: str
  domain:
    description:
      - Name of the domain that owns the task, for example V(Global/Site-A), looked up in the login's domains
        (on-prem) or with C(GET fmc_platform/v1/info/domain) (cdFMC). Mutually exclusive with O(domain_uuid).
      - If not set, the environment variable E(CDFMC_DOMAIN) is used. An empty value counts as unset.
    type: str
  api_prefix:
    description:
      - Path between O(base_url) and C(fmc_config).
      - Defaults to V(/v1/cdfmc/api) when O(base_url) has a path (a trailing V(/) is ignored), as the gateway
        does, and to V(/api) otherwise, as a cdFMC tenant host and an on-prem FMC do.
    type: str
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate. Leave it on outside a lab.
      - If not set, the environment variable E(CDFMC_VALIDATE_CERTS) is used. An empty value counts as unset.
    type: bool
    default: true
  ca_path:
    description:
      - A CA bundle (PEM file) or directory to trust for the server's certificate.
      - It wins over E(REQUESTS_CA_BUNDLE) and E(CURL_CA_BUNDLE) in the environment.
      - If not set, the environment variable E(CDFMC_CA_PATH) is used. An empty value counts as unset.
    type: path
  request_timeout:
    description:
      - Seconds one HTTP request may take, from connecting to the last byte of the answer.
    type: float
    default: 30
  max_retries:
    description:
      - How many times one request is retried after a connection error or an HTTP 429, 500, 502, 503 or 504,
        waiting with exponential backoff and jitter, or as long as the server's C(Retry-After) asks (capped).
      - A POST is retried only on HTTP 429 and on a refused connection.
    type: int
    default: 5
  max_requests_per_minute:
    description:
      - Requests to one server allowed in any 60 seconds, spread evenly (a small burst, then an even pace, never a
        minute's worth at once), and shared in turn, first come first served, by every process of this user on the
        host where it runs (the forks of a run). FMC allows about 120 a minute (300 from 7.4.1).
      - Without O(budget_url) the budget ends at the host. Each AWX job runs in a container of its own, so jobs that
        run at the same time against one FMC do not share it; set O(budget_url), or lower this, when they do.
      - If not set, the environment variable E(CDFMC_MAX_REQUESTS_PER_MINUTE) is used. An empty value counts as unset.
    type: int
    default: 100
  max_concurrent_requests:
    description:
      - Requests in flight to one server at once, shared the same way. FMC allows about 10 connections per client.
    type: int
    default: 8
  budget_url:
    description:
      - A Redis server that shares the request budget (O(max_requests_per_minute), O(max_concurrent_requests), an
        HTTP 429's hold) and the on-prem login among every run that uses it, on any host (AWX jobs that run at the
        same time against one FMC). For example V(rediss://cdfmc:PASSWORD@redis.example.com:6380/0) (TLS) or
        V(redis://...); a single Redis (not a Redis Cluster), a user named (V(default) when Redis has only a
        password), no query. Every run must use the same O(max_requests_per_minute).
      - When it cannot be used (down, slower than 1 second to answer or half a second for an operation, refusing
        the user, answering garbage) the run goes on with the budget and the login cache of its host, with one
        warning naming the URL (its password masked), and tries it again a minute later. Needs the Python library
        C(redis) where the task runs, and for the login C(cryptography) (which ansible-core brings). The login is
        stored encrypted with a key derived from the password, under a key name that names neither the user nor the
        server.
      - If not set, the environment variable E(CDFMC_BUDGET_URL) is used. An empty value counts as unset.
    type: str
  budget_ca_file:
    description:
      - The CA certificates (PEM file) that the TLS certificate of a V(rediss://) O(budget_url) is checked against.
        The system's are used when not set.
      - If not set, the environment variable E(CDFMC_BUDGET_CA_FILE) is used. An empty value counts as unset.
    type: path
notes:
  - Proxy settings from the environment (E(HTTPS_PROXY), E(NO_PROXY)) apply. Redirects are not followed.
    Credentials in C(~/.netrc) are never used in place of O(api_token) or the login.
  - With an O(api_token), one HTTP 401 is retried (within O(max_retries)), since cdFMC answers an occasional
    spurious one. A GET answered HTTP 400 whose message says C(please try again) or C(retry the operation after
    sometime) is retried like a 503.
  - On an on-prem FMC, use an API user of the automation's own; FMC may log out another session of the same user.
requirements:
  - requests >= 2.32.4
  - jmespath
'''

    # The same options for controller plugins (lookup, action): environment and variables.
    PLUGINS = r'''
options:
  base_url:
    description:
      - URL of the server, for example V(https://api.us.security.cisco.com/firewall) (the Security Cloud Control
        gateway of a cdFMC), V(https://example-tenant.app.us.cdo.cisco.com) (a cdFMC tenant host) or
        V(https://fmc.example.com) (an on-prem FMC).
      - Exactly one of O(base_url) and O(region) is required.
      - Plain C(http://) is refused unless the host is a loopback address.
      - An empty value counts as unset.
    type: str
    env:
      - name: CDFMC_BASE_URL
    vars:
      - name: cdfmc_base_url
  region:
    description:
      - Shortcut for the Security Cloud Control gateway of a region (cdFMC only); for any other region, set
        O(base_url).
      - Exactly one of O(base_url) and O(region) is required. An empty value counts as unset.
    type: str
    choices: [apj, au, eu, in, us]
    env:
      - name: CDFMC_REGION
    vars:
      - name: cdfmc_region
  api_token:
    description:
      - "The Security Cloud Control API token of a cdFMC, sent as C(Authorization: Bearer). An empty value counts
        as unset."
    type: str
    env:
      - name: CDFMC_API_TOKEN
    vars:
      - name: cdfmc_api_token
  username:
    description:
      - User name of an on-prem FMC login; its tokens are renewed before they expire and shared by the forks of
        a run. An empty value counts as unset.
    type: str
    env:
      - name: CDFMC_USERNAME
    vars:
      - name: cdfmc_username
  password:
    description:
      - Password of O(username). An empty value counts as unset.
    type: str
    env:
      - name: CDFMC_PASSWORD
    vars:
      - name: cdfmc_password
  domain_uuid:
    description:
      - UUID of the domain that owns the task. Defaults to the global domain of every cdFMC,
        V(e276abec-e0f2-11e3-8169-6d9ed49b625f), with an API token, and to the login's domain on an on-prem FMC.
        An empty value counts as unset.
    type: str
    env:
      - name: CDFMC_DOMAIN_UUID
    vars:
      - name: cdfmc_domain_uuid
  domain:
    description:
      - Name of the domain that owns the task, for example V(Global/Site-A). An empty value counts as unset.
    type: str
    env:
      - name: CDFMC_DOMAIN
    vars:
      - name: cdfmc_domain
  api_prefix:
    description:
      - Path between O(base_url) and C(fmc_config). Defaults to V(/v1/cdfmc/api) when O(base_url) has a path,
        and to V(/api) otherwise.
    type: str
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate. Leave it on outside a lab.
    type: bool
    default: true
    env:
      - name: CDFMC_VALIDATE_CERTS
    vars:
      - name: cdfmc_validate_certs
  ca_path:
    description:
      - A CA bundle (PEM file) or directory to trust for the server's certificate. It wins over
        E(REQUESTS_CA_BUNDLE) and E(CURL_CA_BUNDLE).
    type: path
    env:
      - name: CDFMC_CA_PATH
    vars:
      - name: cdfmc_ca_path
  request_timeout:
    description:
      - Seconds one HTTP request may take, from connecting to the last byte of the answer.
    type: float
    default: 30
  max_retries:
    description:
      - How many times one request is retried after a connection error or an HTTP 429, 500, 502, 503 or 504.
    type: int
    default: 5
  max_requests_per_minute:
    description:
      - Requests to one server allowed in any 60 seconds, spread evenly and shared in turn by every process of this
        user on the controller (the forks of a run). FMC allows about 120 a minute (300 from 7.4.1).
      - Without O(budget_url), each AWX job runs in a container of its own, so jobs that run at the same time
        against one FMC do not share it; set O(budget_url), or lower this, when they do.
    type: int
    default: 100
    env:
      - name: CDFMC_MAX_REQUESTS_PER_MINUTE
    vars:
      - name: cdfmc_max_requests_per_minute
  max_concurrent_requests:
    description:
      - Requests in flight to one server at once, shared the same way.
    type: int
    default: 8
  budget_url:
    description:
      - A Redis server that shares the request budget and the on-prem login among every run that uses it, on any
        host (AWX jobs that run at the same time against one FMC), for example
        V(rediss://cdfmc:PASSWORD@redis.example.com:6380/0). Its password is never shown.
      - When it cannot be used the run goes on with the budget and the login cache of its host, with one warning,
        and tries it again a minute later. Needs the Python libraries C(redis) and (for the login) C(cryptography)
        on the controller.
    type: str
    env:
      - name: CDFMC_BUDGET_URL
    vars:
      - name: cdfmc_budget_url
  budget_ca_file:
    description:
      - The CA certificates (PEM file) that the TLS certificate of a V(rediss://) O(budget_url) is checked against.
    type: path
    env:
      - name: CDFMC_BUDGET_CA_FILE
    vars:
      - name: cdfmc_budget_ca_file
notes:
  - Runs on the controller, so options from the environment are read there; the C(environment) keyword does
    not reach it.
requirements:
  - requests >= 2.32.4
  - jmespath
'''
