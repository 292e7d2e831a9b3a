"""The fault tier's mesh differs from the others in five settings, given to
every process it starts (set here, before the session's mesh starts):

- Kafka runs as the three-node cluster (devmesh/launcher/kafka.py);
- the sqlite name resolver, so F9 can add a second product and a second order
  instance under the same app ids (devmesh/launcher/dapr_config.py);
- reservations expire after 60 s, swept every 5 s (instead of 900 s / 30 s),
  so F7 sees abandoned ones come back within its time. 60 s still outlasts the
  30 s after which order's worker retries the commit of a placed order whose
  immediate commit failed (F5);
- order's after-commit crash point is armed (F8); it fires only for orders
  whose idempotency key starts with `crash-point:` (common/crash_point.py).
"""

from __future__ import annotations

import os

FAULT_MESH_ENV = {
    "KAFKA_NODES": "3",
    "DAPRSHOP_NAME_RESOLUTION": "sqlite",
    "RESERVATION_TTL_SECONDS": "60",
    "RESERVATION_SWEEP_INTERVAL": "5",
    "DAPRSHOP_CRASH_POINT": "after-commit",
}
for _name, _value in FAULT_MESH_ENV.items():
    os.environ.setdefault(_name, _value)
