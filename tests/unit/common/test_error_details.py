"""Rich error details survive a real gRPC round trip (in-process server)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent import futures

import grpc
import pytest

from common.error_details import (
    ErrorDetail,
    FieldViolation,
    Reason,
    abort,
    from_rpc_error,
)

OUT_OF_STOCK = ErrorDetail(
    grpc.StatusCode.FAILED_PRECONDITION,
    Reason.OUT_OF_STOCK,
    "product p1: 3 requested, 1 in stock",
    {"product_id": "p1", "requested": "3", "available": "1"},
)
BAD_INPUT = ErrorDetail(
    grpc.StatusCode.INVALID_ARGUMENT,
    Reason.INVALID_ARGUMENT,
    "bad input",
    violations=(FieldViolation("items[0].quantity", "must be positive"),),
)


def _handler(detail: ErrorDetail) -> grpc.GenericRpcHandler:
    def refuse(request: bytes, context: grpc.ServicerContext) -> bytes:
        abort(context, detail)

    return grpc.method_handlers_generic_handler(
        "t.T", {"Call": grpc.unary_unary_rpc_method_handler(refuse)}
    )


@pytest.fixture(params=[OUT_OF_STOCK, BAD_INPUT], ids=["out-of-stock", "bad-input"])
def answered(
    request: pytest.FixtureRequest,
) -> Iterator[tuple[ErrorDetail, grpc.RpcError]]:
    detail: ErrorDetail = request.param
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
    server.add_generic_rpc_handlers((_handler(detail),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            call = channel.unary_unary("/t.T/Call")
            with pytest.raises(grpc.RpcError) as caught:
                call(b"", timeout=5)
            yield detail, caught.value
    finally:
        server.stop(None)


def test_the_caller_reads_code_reason_facts_and_fields(
    answered: tuple[ErrorDetail, grpc.RpcError],
) -> None:
    sent, err = answered
    received = from_rpc_error(err)
    assert received == sent
    assert err.code() == sent.code


def test_an_error_without_details_reads_as_none() -> None:
    class Plain(grpc.RpcError):
        def code(self) -> grpc.StatusCode:
            return grpc.StatusCode.INTERNAL

        def trailing_metadata(self) -> tuple[()]:
            return ()

    assert from_rpc_error(Plain()) is None


def test_int_facts() -> None:
    assert OUT_OF_STOCK.int_fact("available") == 1
    assert OUT_OF_STOCK.int_fact("missing") is None
