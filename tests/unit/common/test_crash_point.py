import pytest

from common import crash_point


class Exited(Exception):
    pass


@pytest.fixture
def exits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    codes: list[int] = []

    def fake_exit(code: int) -> None:
        codes.append(code)
        raise Exited

    monkeypatch.setattr(crash_point.os, "_exit", fake_exit)
    return codes


def test_an_armed_point_ends_the_process_for_a_tagged_request(
    monkeypatch: pytest.MonkeyPatch, exits: list[int]
) -> None:
    monkeypatch.setenv("DAPRSHOP_CRASH_POINT", "after-commit")
    with pytest.raises(Exited):
        crash_point.reached("after-commit", f"{crash_point.TRIGGER}abc")
    assert exits == [crash_point.EXIT_CODE]


@pytest.mark.parametrize(
    ("armed", "environment", "point", "tag"),
    [
        (None, "dev", "after-commit", f"{crash_point.TRIGGER}abc"),  # not armed
        ("after-commit", "dev", "after-commit", "ordinary-key"),  # untagged
        ("after-commit", "dev", "elsewhere", f"{crash_point.TRIGGER}abc"),
        ("after-commit", "prod", "after-commit", f"{crash_point.TRIGGER}abc"),
    ],
)
def test_otherwise_it_is_inert(
    monkeypatch: pytest.MonkeyPatch,
    exits: list[int],
    armed: str | None,
    environment: str,
    point: str,
    tag: str,
) -> None:
    if armed is None:
        monkeypatch.delenv("DAPRSHOP_CRASH_POINT", raising=False)
    else:
        monkeypatch.setenv("DAPRSHOP_CRASH_POINT", armed)
    monkeypatch.setenv("ENVIRONMENT", environment)
    crash_point.reached(point, tag)
    assert exits == []
