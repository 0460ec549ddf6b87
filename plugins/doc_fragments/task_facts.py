# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # The options that shape the task facts, shared by every plugin that returns them.
    DOCUMENTATION = r'''
options:
  detailed_device_status:
    description:
      - Sends C(showDetailedDeviceStatus=true), so deployment and rollback tasks carry one sub-task per device.
      - When V(false), the parameter is not sent.
    type: bool
    default: true
  status_map:
    description:
      - Raw status (case-insensitive) to state, applied before the built-in mapping and able to override it.
      - Each value must be one of V(pending), V(running), V(succeeded), V(failed), V(cancelled) or V(unknown).
    type: dict
  include_raw:
    description:
      - Whether the task facts carry the API's JSON as C(raw).
    type: bool
    default: true
notes:
  - "Status mapping (case-insensitive): V(pending) from PENDING, QUEUED, SCHEDULED, NOT_STARTED;
    V(running) from RUNNING, IN_PROGRESS, DEPLOYING, EXECUTING; V(succeeded) from SUCCESS, SUCCEEDED,
    SUCCESSFUL, COMPLETED, DEPLOYED, DONE; V(failed) from FAILED, FAILURE, ERROR, ABORTED;
    V(cancelled) from CANCELLED, CANCELED."
  - "Status families of device-level results (SSP_*, PRIMARY_BOOTSTRAP_*, SECONDARY_BOOTSTRAP_*, BREAK_*, ...) map by
    their ending, longest first: PARTIALLY_SUCCEEDED and *_PARTIALLY_SUCCEEDED are V(failed) (a partial success
    is a failure; messages say C(partially succeeded)), *_SUCCEEDED is V(succeeded), *_FAILED is V(failed).
    Anything else, UNKNOWN included, is V(unknown) (not terminal), with one warning per status."
  - "Where the status is absent or empty, a registration outcome in C(message) gives the state (matched
    exactly, case-insensitive): DEVICE_SUCCESSFULLY_REGISTERED and DISCOVERY_SUCCESS V(succeeded),
    REGISTRATION_FAILED, DEPLOYMENT_FAILED and DISCOVERY_FAILED V(failed), REGISTRATION_IN_PROGRESS V(running).
    A failure word in C(message) also overrides a status that reads as succeeded."
  - A task whose status reads as succeeded while a sub-task failed is V(failed); a running task with a failed
    sub-task stays V(running) and lists the target in C(failed_targets).
'''
