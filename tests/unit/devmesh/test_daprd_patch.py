"""The daprd build's Kafka fix is applied as exact text replacements: a
source that no longer matches fails the build loudly, never builds an
unpatched daprd (the Go test itself: tests/integration/test_daprd_patch.py)."""

from __future__ import annotations

import pytest

from devmesh import bootstrap
from devmesh.bootstrap import daprd_patch
from devmesh.bootstrap.shared import StepFailed

SOURCE = (
    'import (\n\t"context"\n\t"errors"\n\t"time"\n)\n'
    "func (k *Kafka) Subscribe() {\n"
    "\tfor _, topic := range topics {\n"
    "\t\tk.subscribeTopics[topic] = handlerConfig\n"
    "\t}\n"
    "\tgo func() {\n"
    "\t\tfor _, topic := range topics {\n"
    "\t\t\tdelete(k.subscribeTopics, topic)\n"
    "\t\t}\n"
    "\t}()\n"
    "}\n"
)


def test_an_ending_subscription_deletes_only_a_topic_it_still_owns() -> None:
    fixed = daprd_patch.patched(SOURCE)
    assert "daprshopTopicOwners.set(k, topic, owner)" in fixed
    guard = "if daprshopTopicOwners.release(k, topic, owner) {"
    assert fixed.index(guard) < fixed.index("delete(k.subscribeTopics, topic)")
    assert '"sync"' in fixed


def test_a_source_that_changed_upstream_fails_the_build() -> None:
    changed = SOURCE.replace("delete(k.subscribeTopics, topic)", "k.forget(topic)")
    with pytest.raises(StepFailed, match="exactly once"):
        daprd_patch.patched(changed)


def test_the_binary_name_carries_the_patch() -> None:
    assert bootstrap.daprd_bin().name.endswith(f"-p{daprd_patch.digest()}")
