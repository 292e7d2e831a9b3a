"""common.probe asks a real gRPC server the health question daprd asks."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent import futures

import grpc
import pytest
from dapr.proto.runtime.v1 import appcallback_pb2, appcallback_pb2_grpc

from common import probe


class Health(appcallback_pb2_grpc.AppCallbackHealthCheckServicer):  # type: ignore[misc]
    def __init__(self) -> None:
        self.ready = True

    def HealthCheck(self, request: object, context: grpc.ServicerContext) -> object:
        if not self.ready:
            context.abort(grpc.StatusCode.INTERNAL, "not ready: mysql")
        return appcallback_pb2.HealthCheckResponse()


@pytest.fixture
def served() -> Iterator[tuple[Health, int]]:
    health = Health()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    appcallback_pb2_grpc.add_AppCallbackHealthCheckServicer_to_server(health, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield health, port
    server.stop(None)


def test_a_ready_app_is_live_and_ready(served: tuple[Health, int]) -> None:
    _, port = served
    assert probe.check("ready", port) is None
    assert probe.check("live", port) is None


def test_an_app_whose_dependency_is_down_is_alive_but_not_ready(
    served: tuple[Health, int],
) -> None:
    health, port = served
    health.ready = False
    assert probe.check("live", port) is None
    assert "not ready: mysql" in (probe.check("ready", port) or "")


def test_nothing_listening_is_neither() -> None:
    assert probe.check("live", 1, timeout=0.5) is not None
    assert probe.check("ready", 1, timeout=0.5) is not None
