"""status_for: what a servicer's caller is told when a call fails, and how."""

from __future__ import annotations

from typing import Any

import grpc
import pymysql
import pytest

from common.domain import DomainError, NotFound, OutOfStock, ValidationError
from common.error_details import ErrorDetail, Reason, to_grpc_status
from common.grpc_errors import status_for
from tests.unit.common.servicer_context import Aborted, FakeContext

TABLE = {
    ValidationError: grpc.StatusCode.INVALID_ARGUMENT,
    NotFound: grpc.StatusCode.NOT_FOUND,
    OutOfStock: grpc.StatusCode.FAILED_PRECONDITION,
}


class Servicer:
    """One method that raises whatever the test hands it."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    @status_for(TABLE)
    def Call(self, request: Any, context: grpc.ServicerContext) -> Any:
        raise self.error


def answer(error: BaseException) -> Aborted:
    with pytest.raises(Aborted) as caught:
        Servicer(error).Call(None, FakeContext())
    return caught.value


class Downstream(grpc.RpcError):  # type: ignore[misc]  # untyped base
    def __init__(self, code: grpc.StatusCode, detail: ErrorDetail | None) -> None:
        self._code = code
        self._trailing = to_grpc_status(detail).trailing_metadata if detail else ()

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return "downstream words"

    def trailing_metadata(self) -> Any:
        return self._trailing


def test_a_tabled_error_answers_its_code_reason_and_facts() -> None:
    err = answer(OutOfStock("p1", 5, 2))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert err.details() == "product p1: 5 requested, 2 in stock"
    assert err.detail == ErrorDetail(
        grpc.StatusCode.FAILED_PRECONDITION,
        Reason.OUT_OF_STOCK,
        "product p1: 5 requested, 2 in stock",
        {"product_id": "p1", "requested": "5", "available": "2"},
    )


def test_bad_input_carries_a_field_violation() -> None:
    err = answer(ValidationError("items[0].quantity", "must be positive"))
    assert err.detail is not None
    assert err.detail.reason == Reason.INVALID_ARGUMENT
    assert [(v.field, v.description) for v in err.detail.violations] == [
        ("items[0].quantity", "must be positive")
    ]


def test_a_domain_error_left_out_of_the_table_is_internal_and_says_nothing() -> None:
    class Surprise(DomainError):
        pass

    err = answer(Surprise("secret detail"))
    assert err.code() == grpc.StatusCode.INTERNAL
    assert err.details() == "internal error" and err.detail is None


@pytest.mark.parametrize(
    ("error", "dependency"),
    [
        (pymysql.err.OperationalError(2003, "cannot connect"), "mysql"),
        (ConnectionRefusedError("refused"), "network"),
    ],
)
def test_a_dependency_down_is_unavailable_naming_it(
    error: Exception, dependency: str
) -> None:
    err = answer(error)
    assert err.code() == grpc.StatusCode.UNAVAILABLE
    assert err.detail is not None and err.detail.reason == Reason.UNAVAILABLE
    assert err.detail.metadata == {"dependency": dependency}


def test_a_downstream_refusal_is_passed_on_with_its_details() -> None:
    said = ErrorDetail(
        grpc.StatusCode.NOT_FOUND, Reason.NOT_FOUND, "no", {"resource": "product"}
    )
    err = answer(Downstream(grpc.StatusCode.NOT_FOUND, said))
    assert err.code() == grpc.StatusCode.NOT_FOUND
    assert err.detail == said


def test_a_downstream_failure_without_details_keeps_its_code_and_words() -> None:
    err = answer(Downstream(grpc.StatusCode.PERMISSION_DENIED, None))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    assert err.details() == "downstream words" and err.detail is None


def test_a_downstream_timeout_means_unavailable_to_our_caller() -> None:
    said = ErrorDetail(grpc.StatusCode.INTERNAL, Reason.UNAVAILABLE, "down")
    err = answer(Downstream(grpc.StatusCode.DEADLINE_EXCEEDED, said))
    assert err.code() == grpc.StatusCode.UNAVAILABLE
    assert err.detail is not None and err.detail.reason == Reason.UNAVAILABLE
