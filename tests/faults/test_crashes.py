"""F1, F2, F11: the notification app or its sidecar is killed or frozen while
orders flow; every order still gets exactly one confirmation email.

`devmesh run notification` restarts a crashed process (with backoff); Kafka
redelivers what was not committed, and notification's ledger drops what it
already sent. A frozen app is seen unhealthy by its sidecar (Dapr's app health
check), which holds its deliveries and subscribes again once it answers. Each
test prints one verdict line.
"""

from __future__ import annotations

import os
import signal
import time
from typing import Any

import pytest

from tests.faults.shop import Flow, Shop, verdict, wait_for_emails

pytestmark = pytest.mark.faults

N = int(os.environ.get("FAULTS_ORDERS", "150"))
APP, DAPRD = 0, 1


@pytest.fixture(scope="module")
def shop(mesh: Any) -> Shop:
    return Shop()


def wait_restarted(
    mesh: Any, name: str, role: int, old: int, timeout: float = 30
) -> None:
    deadline = time.monotonic() + timeout
    while (pids := mesh.pids(name))[role : role + 1] in ([], [old]):
        assert time.monotonic() < deadline, f"{name} was not restarted: {pids}"
        time.sleep(0.2)


@pytest.mark.parametrize(
    ("label", "role"),
    [("F1 kill -9 notification app", APP), ("F2 kill -9 notification sidecar", DAPRD)],
)
def test_kill_9_loses_and_doubles_nothing(
    mesh: Any, shop: Shop, label: str, role: int
) -> None:
    flow = Flow(shop, N).start()
    flow.wait_placed(N // 3)
    victim = mesh.pids("notification")[role]
    os.kill(victim, signal.SIGKILL)
    wait_restarted(mesh, "notification", role, victim)
    flow.join()
    emails = wait_for_emails(flow.user.email, len(flow.placed), timeout=180)
    line = verdict(label, len(flow.placed), emails)
    assert "lost=0 duplicated=0" in line
    assert "notification" not in mesh.exited()


def test_f11_a_frozen_app_gets_its_deliveries_after_it_thaws(
    mesh: Any, shop: Shop
) -> None:
    flow = Flow(shop, N).start()
    flow.wait_placed(N // 4)
    app = mesh.pids("notification")[APP]
    unhealthy_before = unhealthy_marks(mesh)
    os.kill(app, signal.SIGSTOP)
    try:
        time.sleep(30)
    finally:
        os.kill(app, signal.SIGCONT)
    thawed = time.monotonic()
    flow.join()
    emails = wait_for_emails(flow.user.email, len(flow.placed), timeout=180)
    drained = time.monotonic() - thawed
    line = verdict(
        "F11 SIGSTOP notification app 30s",
        len(flow.placed),
        emails,
        f"drained_after_sigcont={drained:.0f}s",
    )
    assert "lost=0 duplicated=0" in line
    assert mesh.pids("notification")[APP] == app  # frozen, not restarted
    assert unhealthy_marks(mesh) > unhealthy_before, "the sidecar never saw it hung"


def unhealthy_marks(mesh: Any, name: str = "notification") -> int:
    """How often an app's sidecar has marked its app unhealthy."""
    text: str = mesh.log_path(name).read_text(errors="replace")
    return text.count("App entered un-healthy status")
