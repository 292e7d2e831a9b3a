"""The contract checks of `make lint`: event topics, buf lint, buf breaking.

buf breaking compares the working tree with a baseline commit (rules in
buf.yaml: wire and JSON compatibility, which covers the event payloads of
protos/events/v1 as much as the RPCs). The baseline, in this order:

- $CONTRACTS_AGAINST, any buf input (e.g. `.git#branch=main`);
- on a branch: where it left main (`git merge-base HEAD main`, or origin/main
  in a clone that only has the remote branch), so every commit of the branch
  is covered, and changes main got meanwhile are not blamed on the branch;
- on main (or a commit main already contains): the first parent HEAD~1, i.e.
  main before the last merge.

A clone without that history (`git clone --depth 1`) has no baseline: the check
fails and says so rather than passing silently; fetch more history
(`git fetch --deepen=1`, or the main branch) or set CONTRACTS_AGAINST.

    python -m protos.contracts
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from common import topics
from devmesh.bootstrap import buf_bin
from devmesh.paths import REPO
from protos import event_topics


def _git(repo: Path, *args: str) -> str | None:
    result = subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=False
    )
    return result.stdout.strip() if result.returncode == 0 else None


def baseline(repo: Path = REPO) -> str | None:
    """The buf input to compare against (see the module docstring)."""
    if override := os.environ.get("CONTRACTS_AGAINST"):
        return override
    head = _git(repo, "rev-parse", "--verify", "-q", "HEAD")
    for main in ("main", "origin/main"):
        base = _git(repo, "merge-base", "HEAD", main)
        if base and base != head:
            return f".git#ref={base}"
    parent = _git(repo, "rev-parse", "--verify", "-q", "HEAD~1")
    return f".git#ref={parent}" if parent else None


def buf(*args: str, repo: Path = REPO) -> bool:
    print(f"$ buf {' '.join(args)}", flush=True)
    result = subprocess.run([str(buf_bin()), *args], cwd=repo, check=False)
    return result.returncode == 0


def main() -> int:
    if not buf_bin().exists():
        print(f"{buf_bin()} is missing: run `python3 -m devmesh.bootstrap`")
        return 1
    ok = True
    if found := event_topics.problems(topics.ALL, event_topics.payload_topics()):
        print("event topics and payloads do not match:", *found, sep="\n  ")
        ok = False
    ok = buf("lint") and ok
    against = baseline()
    if against is None:
        print("no baseline commit for `buf breaking` (shallow clone?): fetch more")
        print("history or set CONTRACTS_AGAINST, e.g. '.git#branch=main'")
        return 1
    return 0 if buf("breaking", "--against", against) and ok else 1


if __name__ == "__main__":
    sys.exit(main())
