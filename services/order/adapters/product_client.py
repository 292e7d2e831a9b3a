"""The product service as the order service's `Inventory` (Dapr gRPC proxying).

Calls go through our own sidecar with `dapr-app-id`. A refusal is read from
the rich error details product sends (`common.error_details`); a failure that
carries none falls back to its status code.
"""

from __future__ import annotations

import logging

import grpc

from common.error_details import ErrorDetail, Reason, from_rpc_error
from protos.product.v1 import product_pb2, product_pb2_grpc
from services.order.domain import (
    Money,
    OutOfStock,
    ProductNotFound,
    Reservation,
    ReservationLost,
    Unavailable,
    ValidationError,
)

log = logging.getLogger(__name__)


class ProductClient:
    """The product service through our own sidecar (Dapr gRPC proxying).

    Generated types stay here: callers see Reservation and domain errors.
    Every call names its reservation id, so product applies it at most once.
    """

    def __init__(
        self,
        stub: product_pb2_grpc.ProductServiceStub,
        metadata: tuple[tuple[str, str], ...],
        timeout: float,
    ) -> None:
        self._stub = stub
        self._metadata = metadata
        self._timeout = timeout

    def reserve(
        self, reservation_id: str, product_id: str, quantity: int
    ) -> Reservation:
        try:
            level = self._stub.ReserveStock(
                product_pb2.ReserveStockRequest(
                    product_id=product_id,
                    quantity=quantity,
                    reservation_id=reservation_id,
                ),
                metadata=self._metadata,
                timeout=self._timeout,
            )
        except grpc.RpcError as err:
            raise _product_error(err, product_id, quantity, "reserve") from err
        return Reservation(
            product_id=product_id,
            quantity=quantity,
            name=level.name,
            unit_price=Money(level.price.amount, level.price.currency),
            reservation_id=reservation_id,
        )

    def commit(self, reservation_id: str, product_id: str) -> None:
        try:
            self._stub.CommitStock(
                product_pb2.CommitStockRequest(
                    product_id=product_id, reservation_id=reservation_id
                ),
                metadata=self._metadata,
                timeout=self._timeout,
            )
        except grpc.RpcError as err:
            detail = from_rpc_error(err)
            # Unknown to product, or released: it holds nothing for us.
            if detail is not None and detail.reason in (
                Reason.NOT_FOUND,
                Reason.FAILED_PRECONDITION,
            ):
                raise ReservationLost(reservation_id) from err
            raise _product_error(err, product_id, 0, "commit") from err

    def release(self, reservation_id: str, product_id: str) -> None:
        try:
            self._stub.ReleaseStock(
                product_pb2.ReleaseStockRequest(
                    product_id=product_id, reservation_id=reservation_id
                ),
                metadata=self._metadata,
                timeout=self._timeout,
            )
        except grpc.RpcError as err:
            raise _product_error(err, product_id, 0, "release") from err


def _product_error(
    err: grpc.RpcError, product_id: str, quantity: int, action: str
) -> Exception:
    detail = from_rpc_error(err)
    known = _from_detail(detail, product_id, quantity) if detail else None
    if known is not None:
        return known
    # No details (or a reason we do not expect): go by the status code.
    code = err.code() if hasattr(err, "code") else grpc.StatusCode.UNKNOWN
    details = (err.details() if hasattr(err, "details") else "") or ""
    if code == grpc.StatusCode.NOT_FOUND:
        return ProductNotFound(product_id)
    if code == grpc.StatusCode.FAILED_PRECONDITION:
        return OutOfStock(product_id, quantity, None)
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        return ValidationError("items", f"product service refused: {details}")
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        # Product may still have applied it; the caller releases the
        # reservation id, which also refuses a late reserve.
        log.warning("%s of %s timed out", action, product_id)
    else:
        log.warning("%s of %s failed: %s %s", action, product_id, code, details)
    return Unavailable("product service", code.name)


def _from_detail(
    detail: ErrorDetail, product_id: str, quantity: int
) -> Exception | None:
    """The domain error product's reason and facts stand for, if we know it."""
    if detail.reason == Reason.NOT_FOUND:
        return ProductNotFound(detail.fact("id", product_id))
    if detail.reason == Reason.OUT_OF_STOCK:
        requested = detail.int_fact("requested")
        return OutOfStock(
            detail.fact("product_id", product_id),
            quantity if requested is None else requested,
            detail.int_fact("available"),
        )
    if detail.reason == Reason.INVALID_ARGUMENT:
        return ValidationError("items", f"product service refused: {detail.message}")
    if detail.reason == Reason.UNAVAILABLE:
        return Unavailable("product service", detail.fact("dependency"))
    return None
