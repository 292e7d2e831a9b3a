"""F7: the product app is killed (kill -9) in the middle of a reservation
burst. Orders keep coming, and so do reservations that nobody will ever commit
or release (made directly, as an order process that died after reserving
would leave them). The stock invariant holds throughout; once the expiry
sweep has run (reservations live 60 s on the fault mesh, tests/faults/
conftest.py) nothing is reserved any more: the abandoned reservations are
released by the sweep, those of refused orders by order's release worker, and
every placed order's are committed.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from typing import Any

import pytest

from protos.product.v1 import product_pb2, product_pb2_grpc
from tests.faults.load import Load
from tests.faults.orders_db import orders_of
from tests.faults.outcomes import summary
from tests.faults.shop import Shop
from tests.faults.stock import reservation_states, settled, states
from tests.faults.test_crashes import APP, wait_restarted
from tests.integration.helpers import sidecar_channel, sidecar_metadata
from tests.integration.stock_invariant import assert_balanced

pytestmark = pytest.mark.faults

SWEEP_WAIT = float(os.environ["RESERVATION_TTL_SECONDS"]) + 30


def test_f7_kill_9_product_mid_burst_leaks_no_stock(
    mesh: Any, shared_env: dict[str, str]
) -> None:
    shop = Shop()
    user = shop.new_user()
    product = shop.new_product(stock=400).id
    # Reservations as order's sidecar makes them (only order may reserve).
    stock = product_pb2_grpc.ProductServiceStub(sidecar_channel(via="order"))
    as_order = sidecar_metadata(shared_env, "product", via="order")

    def burst(i: int) -> str:
        if i % 2:
            return shop.place(user.id, product)
        rid = f"f7-abandoned-{uuid.uuid4().hex}"
        stock.ReserveStock(
            product_pb2.ReserveStockRequest(
                product_id=product, quantity=1, reservation_id=rid
            ),
            metadata=as_order,
            timeout=10,
        )
        return rid

    load = Load(burst, rate=16, workers=6).start()
    time.sleep(3)
    victim = mesh.pids("product")[APP]
    os.kill(victim, signal.SIGKILL)
    killed = time.monotonic()
    wait_restarted(mesh, "product", APP, victim)
    recovered = load.first_ok_after(killed, timeout=60)
    time.sleep(3)
    load.stop()
    burst_end = time.monotonic()
    just_after = assert_balanced(shared_env, product)
    figures = settled(shared_env, product, timeout=SWEEP_WAIT)
    assert_balanced(shared_env, product)
    orders = orders_of(shared_env, user.id)
    line = (
        f"F7 kill -9 product app mid-burst: {summary(load.between(0))}"
        f" | serving again {recovered:.1f}s after the kill"
        f" | right after: reserved={just_after.reserved} holds={just_after.holds}"
        f" | {time.monotonic() - burst_end:.0f}s later: reserved={figures.reserved}"
        f" sold={figures.sold} orders={len(orders)} holds={figures.holds}"
        f" | reservations {states(reservation_states(shared_env, product))}"
    )
    print("\n" + line, flush=True)
    assert figures.holds and figures.reserved == 0, line
    assert figures.sold == len(orders), line
    assert "product" not in mesh.exited()
