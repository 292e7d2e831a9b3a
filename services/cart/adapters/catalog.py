"""The product service as the cart's `Catalog` (Dapr gRPC proxying).

Calls go through our own sidecar with `dapr-app-id`; product's refusal is read
from its rich error details, a failure without them by its status code.
"""

from __future__ import annotations

import grpc

from common.error_details import Reason, from_rpc_error
from protos.product.v1 import product_pb2, product_pb2_grpc
from services.cart.domain import ProductNotFound, Unavailable


class ProductCatalog:
    def __init__(
        self,
        stub: product_pb2_grpc.ProductServiceStub,
        metadata: tuple[tuple[str, str], ...],
        timeout: float,
    ) -> None:
        self._stub = stub
        self._metadata = metadata
        self._timeout = timeout

    def stock_of(self, product_id: str) -> int:
        try:
            product = self._stub.GetProduct(
                product_pb2.GetProductRequest(id=product_id),
                metadata=self._metadata,
                timeout=self._timeout,
            )
        except grpc.RpcError as err:
            raise _product_error(err, product_id) from err
        return int(product.stock)


def _product_error(err: grpc.RpcError, product_id: str) -> Exception:
    detail = from_rpc_error(err)
    if detail is not None and detail.reason == Reason.NOT_FOUND:
        return ProductNotFound(product_id)
    code = err.code() if hasattr(err, "code") else grpc.StatusCode.UNKNOWN
    if detail is None and code == grpc.StatusCode.NOT_FOUND:
        return ProductNotFound(product_id)
    return Unavailable("product service", code.name)
