# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run galaxy-importer on a collection tarball as Galaxy does, and fail on any error or unexpected warning.

Usage: python check.py TARBALL   (with the Python of galaxy-importer's own virtual environment)
"""

import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def allowed_patterns():
    with open(os.path.join(HERE, 'allowed-warnings.txt'), encoding='utf-8') as handle:
        return [re.compile(line.strip()) for line in handle if line.strip() and not line.lstrip().startswith('#')]


def main(tarball):
    environment = dict(os.environ, GALAXY_IMPORTER_RUN_FLAKE8='true', GALAXY_IMPORTER_CHECK_REQUIRED_TAGS='true',
                       GALAXY_IMPORTER_OFFLINE_ANSIBLE_LINT='true')
    # The importer's tools (flake8, ansible-lint, ansible-doc) are found on PATH: this environment's first.
    environment['PATH'] = os.path.dirname(sys.executable) + os.pathsep + environment.get('PATH', '')
    with tempfile.TemporaryDirectory() as work:
        environment['GALAXY_IMPORTER_TMP_ROOT_DIR'] = work
        completed = subprocess.run([sys.executable, '-m', 'galaxy_importer.main', os.path.abspath(tarball)],
                                   cwd=work, env=environment, capture_output=True, text=True, timeout=900, check=False)
    output = completed.stdout + completed.stderr
    patterns = allowed_patterns()
    problems = []
    for line in output.splitlines():
        if line.startswith('ERROR'):
            problems.append(line)
        elif line.startswith('WARNING'):
            text = line.split(':', 1)[1].strip()
            if not any(pattern.search(text) for pattern in patterns):
                problems.append(line)
    if completed.returncode != 0 or 'Importer processing completed successfully' not in output:
        problems.append('galaxy-importer exited with %d without completing' % completed.returncode)
    if problems:
        sys.stdout.write(output)
        sys.stdout.write('\ngalaxy-importer found %d problem(s):\n%s\n' % (len(problems), '\n'.join(problems)))
        return 1
    warnings = sum(1 for line in output.splitlines() if line.startswith('WARNING'))
    print('galaxy-importer: the collection imports; %d allowed warning(s) (tests/galaxy_importer/allowed-warnings.txt)'
          % warnings)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
