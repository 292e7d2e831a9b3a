"""The fault tier runs Kafka as the three-node cluster (devmesh/launcher/kafka.py):
set before the session's mesh starts, so every fault test shares it."""

from __future__ import annotations

import os

os.environ.setdefault("KAFKA_NODES", "3")
