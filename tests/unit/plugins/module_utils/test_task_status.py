# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading tasks once each (the module and the lookup), against the in-process simulator."""

import pytest

from ansible_collections.cisco.cdfmc.plugins.module_utils._connection_spec import connection_argument_spec
from ansible_collections.cisco.cdfmc.plugins.module_utils._errors import CdfmcOptionError
from ansible_collections.cisco.cdfmc.plugins.module_utils._facts import task_facts_argument_spec
from ansible_collections.cisco.cdfmc.plugins.module_utils._options import OptionAdapter
from ansible_collections.cisco.cdfmc.plugins.module_utils._task_status import read_tasks

TOKEN = 'sim-token'


def options(simulator):
    spec = connection_argument_spec()
    spec.update(task_facts_argument_spec())
    return OptionAdapter.from_arguments({'base_url': simulator.url, 'api_token': TOKEN, 'ca_path': simulator.ca_file},
                                        spec)


def finished(task_id):
    return {'id': task_id, 'timeline': [{'at': 0, 'status': 'Deployed'}]}


def test_each_task_is_read_once_in_order(simulator):
    simulator.load({'tasks': [finished('t1'), finished('t2')]})
    facts = read_tasks(options(simulator), ['t2', 't1'])
    assert [(fact['id'], fact['state']) for fact in facts] == [('t2', 'succeeded'), ('t1', 'succeeded')]
    assert [request['path'].rsplit('/', 1)[1] for request in simulator.requests] == ['t2', 't1']


@pytest.mark.parametrize('bad', ['', 'a/b', '../t1', 'x' * 129])
def test_a_bad_id_anywhere_is_refused_before_the_first_request(simulator, bad):
    simulator.load({'tasks': [finished('t1')]})
    with pytest.raises(CdfmcOptionError, match='task id'):
        read_tasks(options(simulator), ['t1', bad])
    assert simulator.requests == []
