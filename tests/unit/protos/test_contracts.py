"""The baseline of `buf breaking`, and that it catches a broken event payload."""

import shutil
import subprocess
from pathlib import Path

import pytest

from protos import contracts

ROOT = Path(__file__).resolve().parents[3]


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def commit(repo: Path, name: str) -> str:
    (repo / name).write_text(name)
    git(repo, "add", name)
    git(repo, "commit", "-qm", name)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("CONTRACTS_AGAINST", raising=False)
    git(tmp_path, "init", "-q", "-b", "main")
    return tmp_path


def test_a_branch_is_compared_with_where_it_left_main(repo: Path) -> None:
    fork = commit(repo, "a")
    git(repo, "checkout", "-qb", "feature")
    commit(repo, "b")
    commit(repo, "c")
    git(repo, "checkout", "-q", "main")
    commit(repo, "main-moved-on")
    git(repo, "checkout", "-q", "feature")

    assert contracts.baseline(repo) == f".git#ref={fork}"


def test_main_is_compared_with_its_previous_commit(repo: Path) -> None:
    first = commit(repo, "a")
    commit(repo, "b")

    assert contracts.baseline(repo) == f".git#ref={first}"


def test_without_history_there_is_no_baseline(repo: Path) -> None:
    commit(repo, "a")

    assert contracts.baseline(repo) is None


def test_the_baseline_can_be_chosen(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONTRACTS_AGAINST", ".git#branch=release")

    assert contracts.baseline(repo) == ".git#branch=release"


def test_buf_breaking_catches_a_renamed_event_field(repo: Path) -> None:
    shutil.copy(ROOT / "buf.yaml", repo)
    for proto in (ROOT / "protos").rglob("*.proto"):
        target = repo / proto.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(proto, target)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "contracts")
    events = repo / "protos/events/v1/events.proto"
    against = ".git#branch=main"

    assert contracts.buf("breaking", "--against", against, repo=repo)
    events.write_text(events.read_text().replace("int64 stock = 2;", "int64 n = 2;"))
    assert not contracts.buf("breaking", "--against", against, repo=repo)
