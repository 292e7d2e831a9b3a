"""Invocation has timeouts but no circuit breaker (dapr/resiliency/resiliency.yaml
says why): a run of ordinary refusals must not turn the next valid call into
an error, as a breaker counting every non-OK answer would."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from tests.faults.shop import Shop

pytestmark = pytest.mark.faults

REFUSALS = 12  # more than any sensible consecutiveFailures trip


def test_a_run_of_out_of_stock_answers_does_not_open_a_breaker(mesh: Any) -> None:
    shop = Shop()
    user = shop.new_user()
    sold_out = shop.new_product(stock=0)
    in_stock = shop.new_product(stock=1)
    codes = []
    for _ in range(REFUSALS):
        with pytest.raises(grpc.RpcError) as err:
            shop.place(user.id, sold_out.id)
        codes.append(err.value.code())
    assert set(codes) == {grpc.StatusCode.FAILED_PRECONDITION}, codes
    assert shop.place(user.id, in_stock.id)
    print(f"\nbreaker: {REFUSALS} out-of-stock refusals, then a valid order: placed")
