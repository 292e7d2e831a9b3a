"""Start-up objects are frozen out of later collections."""

from __future__ import annotations

import gc

from common import gcpolicy


def test_the_startup_heap_is_moved_out_of_reach_of_collections() -> None:
    survivors = [[i] for i in range(1000)]  # long-lived start-up objects
    try:
        gcpolicy.freeze_startup_heap()
        assert gc.get_freeze_count() >= len(survivors)
    finally:
        gc.unfreeze()
