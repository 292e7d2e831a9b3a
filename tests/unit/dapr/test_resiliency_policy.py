"""What the resiliency policy promises (the README's Dapr configuration part)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

RESILIENCY = Path(__file__).parents[3] / "dapr" / "resiliency"


def load(name: str) -> dict[str, Any]:
    return yaml.safe_load((RESILIENCY / name).read_text())["spec"]


def test_invocation_has_timeouts_but_no_retry_or_circuit_breaker() -> None:
    apps = load("resiliency.yaml")["targets"]["apps"]
    assert apps and all("timeout" in target for target in apps.values())
    assert all(
        "retry" not in target and "circuitBreaker" not in target
        for target in apps.values()
    )


def test_domain_deliveries_reach_the_dead_letter_topic_within_10_seconds() -> None:
    spec = load("resiliency.yaml")
    inbound = spec["targets"]["components"]["pubsub"]["inbound"]
    retry = spec["policies"]["retries"][inbound["retry"]]
    assert retry["policy"] == "constant"
    seconds = float(retry["duration"].removesuffix("ms")) / 1000
    # every retry waits `duration` (a DROP goes at once)
    assert retry["maxRetries"] * seconds <= 10
