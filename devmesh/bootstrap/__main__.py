"""`python3 -m devmesh.bootstrap`: see devmesh/bootstrap/driver.py."""

import sys

from devmesh.bootstrap.driver import main

sys.exit(main())
