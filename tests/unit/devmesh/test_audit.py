"""The audit gate's decisions over canned pip-audit JSON reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devmesh.audit import judge, locked_pins, main, parse_allowlist

REQUIREMENTS = """\
# exported by uv
grpcio==1.85.1 \\
    --hash=sha256:aaaa
Typing_Extensions==4.15.0 \\
    --hash=sha256:bbbb
colorama==0.4.6 ; sys_platform == 'win32' \\
    --hash=sha256:cccc
ecdsa==0.19.1 ; python_version >= '3.8' \\
    --hash=sha256:dddd
"""
PINS = locked_pins(REQUIREMENTS)
REASON = "no advisory data reachable from this machine; pinned by hash in uv.lock"
ACKED = "\n".join(
    f"{name}=={version}  {REASON}"
    for name, version in [("grpcio", "1.85.1"), ("typing-extensions", "4.15.0"),
                          ("ecdsa", "0.19.1")]
)  # fmt: skip


def skipped(name: str, version: str) -> dict[str, str]:
    return {
        "name": name,
        "skip_reason": f"Dependency not found on PyPI and could not be audited: "
        f"{name} ({version})",
    }


def audited(name: str, version: str, *vulns: dict[str, object]) -> dict[str, object]:
    return {"name": name, "version": version, "vulns": list(vulns)}


def report(*deps: dict[str, object]) -> dict[str, object]:
    return {"dependencies": list(deps), "fixes": []}


UNAUDITABLE = [
    skipped("grpcio", "1.85.1"),
    skipped("typing-extensions", "4.15.0"),
    skipped("ecdsa", "0.19.1"),
]
NOTHING_REACHABLE = report(*UNAUDITABLE)
MINERVA = {
    "id": "GHSA-wj6h-64fc-37mp",
    "aliases": ["CVE-2024-23342"],
    "fix_versions": [],
}


def test_pins_are_canonical_and_follow_markers() -> None:
    assert PINS == {
        "grpcio": "1.85.1",
        "typing-extensions": "4.15.0",
        "ecdsa": "0.19.1",
    }


def test_every_unauditable_package_acknowledged_passes() -> None:
    verdict = judge(NOTHING_REACHABLE, PINS, parse_allowlist(ACKED))

    assert verdict.ok, verdict.failures
    assert (verdict.audited, verdict.acknowledged) == (0, 3)
    assert verdict.stale == []


def test_a_new_dependency_fails_until_acknowledged() -> None:
    pins = {**PINS, "left-pad": "1.0.0"}
    with_new = report(*UNAUDITABLE, skipped("left-pad", "1.0.0"))

    verdict = judge(with_new, pins, parse_allowlist(ACKED))

    assert not verdict.ok
    assert len(verdict.failures) == 1
    assert verdict.failures[0].startswith("left-pad==1.0.0 could not be audited")


def test_an_upgrade_fails_and_the_old_entry_is_stale() -> None:
    pins = {**PINS, "grpcio": "1.86.0"}
    upgraded = report(
        skipped("grpcio", "1.86.0"),
        skipped("typing-extensions", "4.15.0"),
        skipped("ecdsa", "0.19.1"),
    )

    verdict = judge(upgraded, pins, parse_allowlist(ACKED))

    assert [f.split()[0] for f in verdict.failures] == ["grpcio==1.86.0"]
    assert verdict.stale == ["grpcio==1.85.1: no longer locked at this version"]


def test_an_advisory_not_in_the_list_fails_naming_its_fix() -> None:
    vuln = {"id": "PYSEC-2099-1", "aliases": ["CVE-2099-1"], "fix_versions": ["1.90"]}
    found = report(
        audited("grpcio", "1.85.1", vuln),
        skipped("typing-extensions", "4.15.0"),
        skipped("ecdsa", "0.19.1"),
    )

    verdict = judge(found, PINS, parse_allowlist(ACKED))

    assert verdict.failures == [
        "grpcio==1.85.1: PYSEC-2099-1, CVE-2099-1 (fixed in: 1.90)"
    ]
    # grpcio was audited after all: its acknowledgement is no longer needed.
    assert verdict.stale == ["grpcio==1.85.1: audited now; its acknowledgement can go"]


def test_an_allowed_advisory_passes_by_alias_too() -> None:
    allow = parse_allowlist(f"CVE-2024-23342  only python-jose uses it\n{ACKED}")
    found = report(
        skipped("grpcio", "1.85.1"),
        skipped("typing-extensions", "4.15.0"),
        audited("ecdsa", "0.19.1", MINERVA),
    )

    verdict = judge(found, PINS, allow)

    assert verdict.ok, verdict.failures
    assert verdict.allowed_vulns == 1
    assert verdict.stale == ["ecdsa==0.19.1: audited now; its acknowledgement can go"]


def test_an_allowed_advisory_not_reported_is_stale_not_a_failure() -> None:
    allow = parse_allowlist(f"GHSA-wj6h-64fc-37mp  only python-jose uses it\n{ACKED}")

    verdict = judge(NOTHING_REACHABLE, PINS, allow)

    assert verdict.ok
    assert verdict.stale == ["GHSA-wj6h-64fc-37mp: not reported in this run"]


def test_an_entry_without_a_reason_fails() -> None:
    allow = parse_allowlist(f"# comment\n\nGHSA-xxxx\n{ACKED}\n")

    verdict = judge(NOTHING_REACHABLE, PINS, allow)

    assert verdict.failures == ["line 3: GHSA-xxxx has no reason"]


def test_a_locked_package_missing_from_the_report_fails() -> None:
    partial = report(skipped("grpcio", "1.85.1"), skipped("ecdsa", "0.19.1"))

    verdict = judge(partial, PINS, parse_allowlist(ACKED))

    assert verdict.failures == [
        "typing-extensions==4.15.0 is locked but not in the report"
    ]


def test_a_report_without_dependencies_fails_closed() -> None:
    verdict = judge({"error": "boom"}, PINS, parse_allowlist(ACKED))
    assert not verdict.ok


@pytest.mark.parametrize(
    ("allowlist", "code"), [(ACKED, 0), (ACKED.split("\n", 1)[1], 1)]
)
def test_main_exits_by_the_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], allowlist: str, code: int
) -> None:
    (tmp_path / "req.txt").write_text(REQUIREMENTS)
    (tmp_path / "allow.txt").write_text(allowlist)
    (tmp_path / "report.json").write_text(json.dumps(NOTHING_REACHABLE))

    got = main(
        [
            "--requirements", str(tmp_path / "req.txt"),
            "--allowlist", str(tmp_path / "allow.txt"),
            "--report", str(tmp_path / "report.json"),
        ]
    )  # fmt: skip

    assert got == code
    out = capsys.readouterr().out
    assert ("audit ok" if code == 0 else "audit FAILED") in out
