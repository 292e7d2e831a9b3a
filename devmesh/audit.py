"""The vulnerability audit of the locked dependencies (`make audit`, part of
`make lint`): pip-audit over `uv.lock`, judged against a committed allow-list.

pip-audit asks PyPI for each locked version's advisories
(pypi.org/pypi/NAME/VERSION/json). From this machine that endpoint answers 404
for every package and OSV does not resolve, so pip-audit *skips* every package
("could not be audited"). `--strict` would only fail on the first skip; this
gate instead fails closed, package by package:

- a vulnerability found that the allow-list does not name (by its ID or an
  alias) fails;
- a locked package that could not be audited fails unless the allow-list
  acknowledges that exact `name==version`, with a reason; so a new or upgraded
  dependency fails lint until someone looks at it and says why it is accepted;
- an entry without a reason fails; entries that matched nothing (a package no
  longer locked at that version, an advisory not reported) are listed as stale.

Where advisory data is reachable, the same gate audits for real: acknowledged
packages that were audited are reported as stale acknowledgements.

The allow-list (audit-allowlist.txt): one entry a line, `#` comments.
`GHSA-…|PYSEC-…|CVE-… <reason>` accepts an advisory; `name==version <reason>`
accepts that a package could not be audited.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from packaging.markers import Marker

from devmesh import pins
from devmesh.paths import CACHE, REPO

ALLOWLIST = REPO / "audit-allowlist.txt"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;([^\\]*))?")


def canonical(name: str) -> str:
    """PEP 503 name: lower case, runs of - _ . become one -."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class AllowList:
    advisories: dict[str, str]  # advisory id -> reason
    packages: dict[str, str]  # canonical name==version -> reason
    problems: tuple[str, ...]  # entries without a reason


def parse_allowlist(text: str) -> AllowList:
    advisories: dict[str, str] = {}
    packages: dict[str, str] = {}
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, _, reason = line.partition(" ")
        reason = reason.strip()
        if not reason:
            problems.append(f"line {number}: {key} has no reason")
            continue
        if "==" in key:
            name, _, version = key.partition("==")
            packages[f"{canonical(name)}=={version}"] = reason
        else:
            advisories[key] = reason
    return AllowList(advisories, packages, tuple(problems))


def locked_pins(requirements: str) -> dict[str, str]:
    """canonical name -> version, from an exported (pinned) requirements file;
    only the pins whose environment marker holds here (as pip-audit does)."""
    found: dict[str, str] = {}
    for line in requirements.splitlines():
        match = _PIN.match(line.strip())
        if not match:
            continue
        marker = (match.group(3) or "").strip()
        if marker and not Marker(marker).evaluate():
            continue
        found[canonical(match.group(1))] = match.group(2)
    return found


@dataclass
class Verdict:
    failures: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    audited: int = 0
    acknowledged: int = 0
    allowed_vulns: int = 0

    @property
    def ok(self) -> bool:
        return not self.failures


def judge(
    report: dict[str, object], pins_: dict[str, str], allow: AllowList
) -> Verdict:
    """The gate's decision over pip-audit's JSON report."""
    verdict = Verdict(failures=list(allow.problems))
    used_packages: set[str] = set()
    used_advisories: set[str] = set()
    dependencies = report.get("dependencies")
    if not isinstance(dependencies, list):
        verdict.failures.append("pip-audit's report has no dependency list")
        return verdict
    seen: set[str] = set()
    for dep in dependencies:
        name = canonical(str(dep.get("name", "")))
        seen.add(name)
        version = str(dep.get("version") or pins_.get(name, "?"))
        pin = f"{name}=={version}"
        if "skip_reason" in dep:
            if pin in allow.packages:
                used_packages.add(pin)
                verdict.acknowledged += 1
            else:
                verdict.failures.append(
                    f"{pin} could not be audited ({dep['skip_reason']}) and is "
                    "not acknowledged in audit-allowlist.txt"
                )
            continue
        verdict.audited += 1
        if pin in allow.packages:
            verdict.stale.append(f"{pin}: audited now; its acknowledgement can go")
            used_packages.add(pin)
        for vuln in dep.get("vulns") or []:
            ids = [str(vuln.get("id", "")), *map(str, vuln.get("aliases") or [])]
            allowed = [i for i in ids if i in allow.advisories]
            if allowed:
                used_advisories.update(allowed)
                verdict.allowed_vulns += 1
                continue
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed release"
            verdict.failures.append(f"{pin}: {', '.join(ids)} (fixed in: {fixes})")
    for name, version in pins_.items():
        if name not in seen:
            verdict.failures.append(
                f"{name}=={version} is locked but not in the report"
            )
    verdict.stale.extend(
        f"{pin}: no longer locked at this version"
        for pin in sorted(set(allow.packages) - used_packages)
    )
    verdict.stale.extend(
        f"{advisory}: not reported in this run"
        for advisory in sorted(set(allow.advisories) - used_advisories)
    )
    return verdict


def _uv() -> Path:
    return CACHE / "tools" / f"uv-{pins.UV}" / "bin" / "uv"


def export_requirements(folder: Path) -> Path:
    """uv.lock as a pinned, hashed requirements file (every group)."""
    out = folder / "requirements.txt"
    subprocess.run(
        [str(_uv()), "export", "--frozen", "--all-groups", "--no-emit-project",
         "--format", "requirements.txt", "--quiet", "-o", str(out)],
        cwd=REPO, check=True,
    )  # fmt: skip
    return out


def run_pip_audit(requirements: Path) -> dict[str, object]:
    """pip-audit's JSON report (no --strict: skips are judged here)."""
    out = requirements.parent / "pip-audit.json"
    done = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--requirement", str(requirements),
         "--disable-pip", "--vulnerability-service", "pypi",
         "--progress-spinner", "off", "--format", "json", "--output", str(out)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    # 0: nothing found, 1: vulnerabilities found; anything else is a failure.
    if done.returncode not in (0, 1) or not out.exists():
        raise RuntimeError(
            f"pip-audit failed ({done.returncode}): {done.stderr[-2000:]}"
        )
    report: dict[str, object] = json.loads(out.read_text())
    return report


def _print(title: str, lines: Iterable[str]) -> None:
    lines = list(lines)
    if lines:
        print(f"{title} ({len(lines)}):")
        for line in lines:
            print(f"  {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devmesh.audit")
    parser.add_argument("--allowlist", type=Path, default=ALLOWLIST)
    parser.add_argument("--report", type=Path, help="judge this pip-audit JSON")
    parser.add_argument("--requirements", type=Path, help="instead of uv.lock")
    args = parser.parse_args(argv)
    started = time.monotonic()
    allow = parse_allowlist(args.allowlist.read_text())
    with tempfile.TemporaryDirectory(prefix="audit-") as tmp:
        requirements = args.requirements or export_requirements(Path(tmp))
        pins_ = locked_pins(requirements.read_text())
        if args.report:
            report = json.loads(args.report.read_text())
        else:
            try:
                report = run_pip_audit(requirements)
            except (RuntimeError, subprocess.TimeoutExpired) as err:
                print(f"audit FAILED: {err}")
                return 1
    verdict = judge(report, pins_, allow)
    _print("stale allow-list entries", verdict.stale)
    _print("audit failures", verdict.failures)
    print(
        f"audit {'ok' if verdict.ok else 'FAILED'}: {len(pins_)} locked packages, "
        f"{verdict.audited} audited, {verdict.acknowledged} not auditable from "
        f"here and acknowledged, {verdict.allowed_vulns} allowed advisories "
        f"({time.monotonic() - started:.1f} s)"
    )
    return 0 if verdict.ok else 1


if __name__ == "__main__":
    sys.exit(main())
