"""ProductClient turns refusals into domain errors: details first, else codes."""

import grpc
import pytest

from common.error_details import ErrorDetail, Reason, to_grpc_status
from protos.common.v1 import money_pb2
from protos.product.v1 import product_pb2
from services.order.adapters.product_client import ProductClient
from services.order.domain import (
    Money,
    OutOfStock,
    ProductNotFound,
    ReservationLost,
    Unavailable,
    ValidationError,
)

METADATA = (("dapr-app-id", "product"),)


class RpcError(grpc.RpcError):
    """A failed call as the client sees it, with or without rich details."""

    def __init__(
        self,
        code: grpc.StatusCode,
        details: str = "",
        detail: ErrorDetail | None = None,
    ) -> None:
        self._code, self._details = code, details
        self._trailing = to_grpc_status(detail).trailing_metadata if detail else ()

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details

    def trailing_metadata(self):
        return self._trailing


class Stub:
    def __init__(
        self, error: grpc.StatusCode | None = None, detail: ErrorDetail | None = None
    ) -> None:
        self.error = error
        self.detail = detail
        self.calls: list[tuple[str, object, object, float]] = []

    def _call(self, name, request, metadata, timeout):
        self.calls.append((name, request, metadata, timeout))
        if self.detail:
            raise RpcError(self.detail.code, self.detail.message, self.detail)
        if self.error:
            raise RpcError(self.error, "because")
        return product_pb2.StockLevel(
            product_id=request.product_id,
            stock=7,
            name="Mug",
            price=money_pb2.Money(amount=1299, currency="USD"),
        )

    def ReserveStock(self, request, metadata, timeout):
        return self._call("reserve", request, metadata, timeout)

    def ReleaseStock(self, request, metadata, timeout):
        return self._call("release", request, metadata, timeout)

    def CommitStock(self, request, metadata, timeout):
        return self._call("commit", request, metadata, timeout)


def test_a_reservation_carries_name_price_and_its_id() -> None:
    client = ProductClient(Stub(), METADATA, timeout=2.5)
    reservation = client.reserve("o1-1", "p1", 3)
    assert reservation.name == "Mug"
    assert reservation.unit_price == Money(1299, "USD")
    assert reservation.quantity == 3
    assert reservation.reservation_id == "o1-1"


def test_every_call_names_the_reservation_the_target_app_and_has_a_timeout() -> None:
    stub = Stub()
    client = ProductClient(stub, METADATA, timeout=2.5)
    client.reserve("o1-1", "p1", 1)
    client.commit("o1-1", "p1")
    client.release("o1-1", "p1")
    assert [c[0] for c in stub.calls] == ["reserve", "commit", "release"]
    assert {c[1].reservation_id for c in stub.calls} == {"o1-1"}
    assert [(c[2], c[3]) for c in stub.calls] == [(METADATA, 2.5)] * 3


@pytest.mark.parametrize(
    "detail",
    [
        ErrorDetail(
            grpc.StatusCode.NOT_FOUND,
            Reason.NOT_FOUND,
            "gone",
            {"resource": "reservation", "id": "o1-1"},
        ),
        ErrorDetail(
            grpc.StatusCode.FAILED_PRECONDITION,
            Reason.FAILED_PRECONDITION,
            "released",
            {"current_status": "RELEASED"},
        ),
    ],
)
def test_a_commit_product_refuses_means_the_reservation_is_lost(detail) -> None:
    client = ProductClient(Stub(detail=detail), METADATA, timeout=1)
    with pytest.raises(ReservationLost):
        client.commit("o1-1", "p1")


def test_a_commit_that_gets_no_answer_is_unavailable() -> None:
    client = ProductClient(Stub(grpc.StatusCode.UNAVAILABLE), METADATA, timeout=1)
    with pytest.raises(Unavailable):
        client.commit("o1-1", "p1")


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (grpc.StatusCode.NOT_FOUND, ProductNotFound),
        (grpc.StatusCode.FAILED_PRECONDITION, OutOfStock),
        (grpc.StatusCode.INVALID_ARGUMENT, ValidationError),
        (grpc.StatusCode.UNAVAILABLE, Unavailable),
        (grpc.StatusCode.DEADLINE_EXCEEDED, Unavailable),
        (grpc.StatusCode.INTERNAL, Unavailable),
        (grpc.StatusCode.UNAUTHENTICATED, Unavailable),
    ],
)
def test_statuses_become_domain_errors(code, error) -> None:
    client = ProductClient(Stub(code), METADATA, timeout=1)
    with pytest.raises(error):
        client.reserve("o1-1", "p1", 1)
    with pytest.raises(error):
        client.release("o1-1", "p1")


def refusal(reason: Reason, code: grpc.StatusCode, **facts: str) -> ErrorDetail:
    return ErrorDetail(code, reason, "words nobody parses", facts)


def test_out_of_stock_takes_the_counts_from_the_details() -> None:
    detail = refusal(
        Reason.OUT_OF_STOCK,
        grpc.StatusCode.FAILED_PRECONDITION,
        product_id="p1",
        requested="5",
        available="2",
    )
    client = ProductClient(Stub(detail=detail), METADATA, timeout=1)
    with pytest.raises(OutOfStock) as err:
        client.reserve("o1-1", "p1", 5)
    assert (err.value.product_id, err.value.requested, err.value.available) == (
        "p1",
        5,
        2,
    )
    assert err.value.facts() == {"product_id": "p1", "requested": "5", "available": "2"}


def test_out_of_stock_without_details_knows_only_what_was_asked() -> None:
    client = ProductClient(Stub(grpc.StatusCode.FAILED_PRECONDITION), METADATA, 1)
    with pytest.raises(OutOfStock) as err:
        client.reserve("o1-1", "p1", 5)
    assert err.value.facts() == {"product_id": "p1", "requested": "5"}


@pytest.mark.parametrize(
    ("detail", "error"),
    [
        (
            refusal(Reason.NOT_FOUND, grpc.StatusCode.NOT_FOUND, resource="product"),
            ProductNotFound,
        ),
        (
            refusal(Reason.UNAVAILABLE, grpc.StatusCode.UNAVAILABLE, dependency="db"),
            Unavailable,
        ),
        (
            refusal(Reason.INVALID_ARGUMENT, grpc.StatusCode.INVALID_ARGUMENT),
            ValidationError,
        ),
        # A reason the client does not expect falls back to the status code.
        (
            refusal(Reason.ALREADY_EXISTS, grpc.StatusCode.NOT_FOUND),
            ProductNotFound,
        ),
    ],
)
def test_reasons_become_domain_errors(detail, error) -> None:
    client = ProductClient(Stub(detail=detail), METADATA, timeout=1)
    with pytest.raises(error):
        client.reserve("o1-1", "p1", 1)
