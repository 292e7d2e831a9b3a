"""`python -m common.probe [live|ready]`: a service's own health, from inside
its container (Kubernetes exec probes; the services listen on 127.0.0.1).

It asks the app's gRPC server the same question daprd's app health check
asks (`AppCallbackHealthCheck/HealthCheck`, answered from the readiness
checks, see `common.runtime.Readiness`):
- `ready`: exit 0 when the app answers OK (every dependency answered last time);
- `live`: exit 0 when the app answers at all, even "not ready": a process
  whose database is down is alive and must not be restarted for it.
"""

from __future__ import annotations

import os
import sys

import grpc
from dapr.proto.runtime.v1 import appcallback_pb2_grpc
from google.protobuf import empty_pb2

NOT_ANSWERING = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


def check(mode: str, port: int, timeout: float = 2.0) -> str | None:
    """None when healthy in `mode`; else why not."""
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = appcallback_pb2_grpc.AppCallbackHealthCheckStub(channel)  # type: ignore[no-untyped-call]
        try:
            stub.HealthCheck(empty_pb2.Empty(), timeout=timeout)
        except grpc.RpcError as err:
            if mode == "live" and err.code() not in NOT_ANSWERING:
                return None
            return f"{err.code().name}: {err.details()}"
    return None


def main(argv: list[str]) -> int:
    mode = argv[0] if argv else "ready"
    if mode not in ("live", "ready"):
        sys.stderr.write("usage: python -m common.probe [live|ready]\n")
        return 2
    problem = check(mode, int(os.environ["APP_PORT"]))
    if problem:
        sys.stderr.write(f"{mode}: {problem}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
