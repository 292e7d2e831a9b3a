"""write_whole: a reader racing the writers never sees a short file."""

from __future__ import annotations

import threading
from pathlib import Path

from devmesh.paths import write_whole

TEXT = "metadata:\n  name: daprConfig\n" * 2000


def test_readers_never_see_an_empty_or_half_written_file(tmp_path: Path) -> None:
    target = write_whole(tmp_path / "config.yaml", TEXT)
    seen: list[int] = []
    done = threading.Event()

    def write() -> None:
        for _ in range(300):
            write_whole(target, TEXT)

    def read() -> None:
        while not done.is_set():
            seen.append(len(target.read_text()))

    reader = threading.Thread(target=read)
    reader.start()
    writers = [threading.Thread(target=write) for _ in range(2)]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    done.set()
    reader.join()
    assert seen and set(seen) == {len(TEXT)}
    assert [p.name for p in tmp_path.iterdir()] == ["config.yaml"]
