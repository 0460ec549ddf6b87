# -*- coding: utf-8 -*-
# Copyright (c) 2026 cisco.cdfmc contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stands in for the get-pip script that ansible-test would download.

ansible-test runs it in a new virtual environment with pip's arguments (for
example ``pip==25.2 --no-setuptools --no-wheel``). It installs pip from the
Python's own ensurepip, then lets that pip install the version asked for with
the machine's pip configuration (package index, certificates, constraints), so
sanity tests run without reaching the download host.
"""

import os
import subprocess
import sys


def main():
    arguments = [argument for argument in sys.argv[1:] if argument not in ('--no-setuptools', '--no-wheel')]
    # ensurepip blanks PIP_CONFIG_FILE for itself only; the second step sees the machine's configuration.
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'], stdout=subprocess.DEVNULL)
    environment = dict(os.environ)
    subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--disable-pip-version-check'] + arguments,
                          env=environment)


if __name__ == '__main__':
    main()
