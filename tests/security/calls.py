"""Raw gRPC calls through a sidecar, whatever the method (bytes in, bytes out)."""

from __future__ import annotations

import grpc

from devmesh import ports


def call(
    port: int, method: str, metadata: tuple[tuple[str, str], ...] = ()
) -> grpc.RpcError | None:
    """Call `method` with an empty message on 127.0.0.1:port; its error, if any."""
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        rpc = channel.unary_unary(
            method,
            request_serializer=lambda raw: raw,
            response_deserializer=lambda raw: raw,
        )
        try:
            rpc(b"", metadata=metadata, timeout=10)
        except grpc.RpcError as err:
            return err
    return None


def via_sidecar(
    caller: str, callee: str, method: str, token: str
) -> grpc.RpcError | None:
    """`caller`'s sidecar proxies `method` to `callee` (Dapr gRPC proxying)."""
    metadata = (("dapr-app-id", callee), ("dapr-api-token", token))
    return call(ports.load().apps[caller].grpc, method, metadata)


def acl_denied(err: grpc.RpcError | None) -> bool:
    """Refused by the callee's sidecar access control (not by the app)."""
    return (
        err is not None
        and err.code() == grpc.StatusCode.PERMISSION_DENIED
        and "access control policy has denied access" in (err.details() or "")
    )
