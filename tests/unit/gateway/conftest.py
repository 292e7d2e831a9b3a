"""Fixtures of the gateway's unit tests: the app on fakes, driven in-process."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from gateway.graphql.context import GatewayServices
from tests.unit.gateway.fakes import GraphQL, World, app_client


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def make_client() -> Iterator[Callable[[GatewayServices], TestClient]]:
    opened: list[TestClient] = []

    def make(services: GatewayServices) -> TestClient:
        client = app_client(services)
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def client(
    world: World, make_client: Callable[[GatewayServices], TestClient]
) -> TestClient:
    return make_client(world.services())


@pytest.fixture
def gql(client: TestClient) -> GraphQL:
    return GraphQL(client)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    """A throwaway redis-server on a free loopback port, for the tests that
    need the real script semantics (rate limits) or pub/sub; stopped at the
    end. (A fixed port let two unit runs on one machine stop each other's.)"""
    import shutil
    import socket
    import subprocess
    import tempfile
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed")
    workdir = tempfile.mkdtemp(prefix="gateway-redis-")
    proc = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            workdir,
            "--loglevel",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"redis-server did not start on {port}")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)
