"""The daprd build's Kafka fix is applied as exact text replacements: a
source that no longer matches fails the build loudly, never builds an
unpatched daprd (the Go test itself: tests/integration/test_daprd_patch.py)."""

from __future__ import annotations

import pytest

from devmesh import bootstrap, pins
from devmesh.bootstrap import daprd_patch, daprd_patch_health
from devmesh.bootstrap.shared import StepFailed
from devmesh.paths import SRC

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


RUNTIME = (
    "func (a *DaprRuntime) initAppHealth() {\n"
    "\t\ta.appHealth.OnHealthChange(a.appHealthChanged)\n"
    "}\n"
    "func (a *DaprRuntime) initProxy() {\n"
    "\ta.proxy = messaging.NewProxy(messaging.ProxyOpts{\n"
    "\t\tAppClientFn:        a.grpc.GetAppClient,\n"
    "\t})\n"
    "}\n"
)


def test_the_proxy_asks_the_app_health_check_before_forwarding() -> None:
    fixed = daprd_patch.patched_runtime(RUNTIME)
    assert "daprshopHealthyAppClient(a.grpc.GetAppClient)" in fixed
    assert "daprshopWatchAppHealth(a.appHealth, a.appHealthChanged)" in fixed
    source = daprd_patch_health.SOURCE
    assert "codes.Unavailable" in source
    # refused only once the app has been healthy (not in daprd's first probe)
    assert "daprshopAppSeenHealthy.Load() && !h.GetStatus().IsHealthy" in source


def test_a_runtime_that_changed_upstream_fails_the_build() -> None:
    changed = RUNTIME.replace("a.grpc.GetAppClient", "a.grpc.AppClient")
    with pytest.raises(StepFailed, match=r"runtime\.go"):
        daprd_patch.patched_runtime(changed)


def test_the_real_sources_take_both_patches() -> None:
    """Against the module the bootstrap unpacked (skipped before it has)."""
    dapr = SRC / f"dapr-{pins.DAPR}"
    if not (dapr / daprd_patch_health.RUNTIME).exists():
        pytest.skip("the dapr source is not unpacked yet")
    daprd_patch.patched_runtime((dapr / daprd_patch_health.RUNTIME).read_text())
