"""A refused call becomes a typed error built from the service's rich details
(`common.error_details`), or from its status code alone when it has none. The
message text never decides anything."""

from __future__ import annotations

from collections.abc import Mapping

import grpc
import pytest
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2

from common.error_details import (
    DETAILS_KEY,
    ErrorDetail,
    FieldViolation,
    Reason,
    to_grpc_status,
)
from gateway import clients


class RpcError(grpc.RpcError):
    """A failed call as grpc.aio raises it: code, message, trailing metadata."""

    def __init__(
        self,
        code: grpc.StatusCode,
        details: str,
        trailing: tuple[tuple[str, str | bytes], ...] = (),
    ) -> None:
        self._code, self._details, self._trailing = code, details, trailing

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details

    def trailing_metadata(self) -> tuple[tuple[str, str | bytes], ...]:
        return self._trailing


def refused(
    code: grpc.StatusCode,
    reason: Reason,
    facts: Mapping[str, str] | None = None,
    violations: tuple[FieldViolation, ...] = (),
    message: str = "refused",
) -> Exception:
    status = to_grpc_status(ErrorDetail(code, reason, message, facts or {}, violations))
    return clients.error_from_rpc(
        RpcError(status.code, status.details, status.trailing_metadata)
    )


FAILED = grpc.StatusCode.FAILED_PRECONDITION


def test_not_found_names_the_resource_and_id() -> None:
    error = refused(
        grpc.StatusCode.NOT_FOUND,
        Reason.NOT_FOUND,
        {"resource": "order", "id": "o7"},
    )

    assert isinstance(error, clients.NotFound)
    assert (error.resource, error.id) == ("order", "o7")


def test_already_exists_names_the_unique_field() -> None:
    error = refused(
        grpc.StatusCode.ALREADY_EXISTS,
        Reason.ALREADY_EXISTS,
        {"resource": "user", "field": "subject"},
    )

    assert isinstance(error, clients.AlreadyExists)
    assert (error.resource, error.field) == ("user", "subject")


def test_out_of_stock_carries_product_requested_and_available() -> None:
    error = refused(
        FAILED,
        Reason.OUT_OF_STOCK,
        {"product_id": "abc123", "requested": "5", "available": "2"},
        message="whatever the service wrote",
    )

    assert isinstance(error, clients.OutOfStock)
    assert (error.product_id, error.requested, error.available) == ("abc123", 5, 2)
    assert str(error) == "whatever the service wrote"


def test_out_of_stock_without_counts_leaves_them_unknown() -> None:
    error = refused(FAILED, Reason.OUT_OF_STOCK, {"product_id": "p9"})

    assert isinstance(error, clients.OutOfStock)
    assert (error.product_id, error.requested, error.available) == ("p9", None, None)


@pytest.mark.parametrize(
    ("reason", "facts", "current", "requested"),
    [
        (
            Reason.ILLEGAL_TRANSITION,
            {"current_status": "SHIPPED", "requested_status": "CANCELLED"},
            "SHIPPED",
            "CANCELLED",
        ),
        (Reason.FAILED_PRECONDITION, {"current_status": "PENDING"}, "PENDING", None),
        (Reason.FAILED_PRECONDITION, {}, None, None),
        (Reason.CURRENCY_MISMATCH, {"currencies": "EUR,USD"}, None, None),
    ],
)
def test_state_conflicts_are_failed_preconditions_with_the_current_status(
    reason: Reason,
    facts: dict[str, str],
    current: str | None,
    requested: str | None,
) -> None:
    error = refused(FAILED, reason, facts)

    assert type(error) is clients.FailedPrecondition
    assert (error.current_status, error.requested_status) == (current, requested)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("items[2].productId", "items[2].productId"),
        ("min_price", "minPrice"),
        ("price.amount", "price.amount"),
        ("items[0].product_id", "items[0].productId"),
    ],
)
def test_bad_input_names_each_field_as_graphql_does(path: str, field: str) -> None:
    error = refused(
        grpc.StatusCode.INVALID_ARGUMENT,
        Reason.INVALID_ARGUMENT,
        violations=(
            FieldViolation(path, "is wrong"),
            FieldViolation("name", "is required"),
        ),
    )

    assert isinstance(error, clients.InvalidArgument)
    assert error.problems == [
        clients.FieldProblem(field, "is wrong"),
        clients.FieldProblem("name", "is required"),
    ]


def test_bad_input_without_fields_keeps_the_message_as_one_problem() -> None:
    error = refused(
        grpc.StatusCode.INVALID_ARGUMENT,
        Reason.INVALID_ARGUMENT,
        message="min_price: looks like a field but is not parsed",
    )

    assert isinstance(error, clients.InvalidArgument)
    assert error.problems == [
        clients.FieldProblem("", "min_price: looks like a field but is not parsed")
    ]


def test_permission_denied_names_the_caller() -> None:
    error = refused(
        grpc.StatusCode.PERMISSION_DENIED, Reason.PERMISSION_DENIED, {"caller": "x"}
    )

    assert isinstance(error, clients.PermissionDenied)
    assert error.caller == "x"


def test_unavailable_names_the_dependency() -> None:
    error = refused(
        grpc.StatusCode.UNAVAILABLE, Reason.UNAVAILABLE, {"dependency": "statestore"}
    )

    assert isinstance(error, clients.Unavailable)
    assert error.dependency == "statestore"


# --- statuses without our details: the code alone decides -----------------------


def test_a_message_that_reads_like_out_of_stock_is_not_parsed() -> None:
    details = "product abc123 is out of stock (product abc123: 5 requested, 2 in stock)"

    error = clients.error_from_rpc(RpcError(FAILED, details))

    assert type(error) is clients.FailedPrecondition
    assert str(error) == details


def test_details_of_another_domain_are_ignored() -> None:
    info = error_details_pb2.ErrorInfo(reason="OUT_OF_STOCK", domain="dapr.io")
    packed = any_pb2.Any()
    packed.Pack(info)
    raw = status_pb2.Status(code=9, message="m", details=[packed]).SerializeToString()

    error = clients.error_from_rpc(RpcError(FAILED, "m", ((DETAILS_KEY, raw),)))

    assert type(error) is clients.FailedPrecondition


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (grpc.StatusCode.NOT_FOUND, clients.NotFound),
        (grpc.StatusCode.ALREADY_EXISTS, clients.AlreadyExists),
        (grpc.StatusCode.INVALID_ARGUMENT, clients.InvalidArgument),
        (grpc.StatusCode.FAILED_PRECONDITION, clients.FailedPrecondition),
        (grpc.StatusCode.UNAVAILABLE, clients.Unavailable),
        (grpc.StatusCode.DEADLINE_EXCEEDED, clients.Unavailable),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, clients.Unavailable),
        (grpc.StatusCode.CANCELLED, clients.Unavailable),
    ],
)
def test_a_bare_status_is_judged_by_its_code(
    code: grpc.StatusCode, kind: type[Exception]
) -> None:
    assert type(clients.error_from_rpc(RpcError(code, ""))) is kind


def test_a_bare_bad_input_names_no_field() -> None:
    error = clients.error_from_rpc(
        RpcError(grpc.StatusCode.INVALID_ARGUMENT, "min_price: must not exceed")
    )

    assert isinstance(error, clients.InvalidArgument)
    assert error.problems == [clients.FieldProblem("", "min_price: must not exceed")]


@pytest.mark.parametrize(
    "code",
    [
        grpc.StatusCode.INTERNAL,
        grpc.StatusCode.UNKNOWN,
        grpc.StatusCode.PERMISSION_DENIED,  # from a sidecar: misconfigured mesh
        grpc.StatusCode.UNAUTHENTICATED,
    ],
)
def test_anything_else_is_unexpected(code: grpc.StatusCode) -> None:
    error = clients.error_from_rpc(RpcError(code, "boom"))

    assert isinstance(error, clients.UnexpectedServiceError)
    assert not isinstance(error, clients.ServiceError)


@pytest.mark.parametrize("reason", list(Reason))
def test_every_reason_of_the_contract_is_a_typed_error(reason: Reason) -> None:
    # INTERNAL as the code: only the reason can make it one the caller handles.
    assert isinstance(refused(grpc.StatusCode.INTERNAL, reason), clients.ServiceError)
