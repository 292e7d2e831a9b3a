"""The near cache: only while invalidations can reach it, bounded, and never
refilled with a value read before an invalidation."""

from __future__ import annotations

from gateway.cache import NearCache
from gateway.cache.near import PAGE_PREFIX, PRODUCT_PREFIX


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def connected(**kwargs: object) -> NearCache:
    near = NearCache(**kwargs)  # type: ignore[arg-type]
    near.connected()
    return near


def test_nothing_is_kept_until_the_invalidation_channel_is_subscribed() -> None:
    near = NearCache()
    near.put("product:p1", "lamp", near.epoch)
    assert near.get("product:p1") is None

    near.connected()
    near.put("product:p1", "lamp", near.epoch)
    assert near.get("product:p1") == "lamp"


def test_losing_the_channel_empties_and_disables_it() -> None:
    near = connected()
    near.put("product:p1", "lamp", near.epoch)

    near.disconnected()

    assert len(near) == 0
    near.put("product:p1", "lamp", near.epoch)
    assert near.get("product:p1") is None


def test_entries_expire_after_the_ttl() -> None:
    clock = Clock()
    near = connected(ttl_seconds=5.0, clock=clock)
    near.put("product:p1", "lamp", near.epoch)

    clock.now = 4.9
    assert near.get("product:p1") == "lamp"
    clock.now = 5.0
    assert near.get("product:p1") is None


def test_a_ttl_of_zero_turns_it_off() -> None:
    near = connected(ttl_seconds=0)
    near.put("product:p1", "lamp", near.epoch)
    assert near.get("product:p1") is None


def test_the_least_recently_used_entry_goes_first() -> None:
    near = connected(max_entries=2)
    near.put("a", 1, near.epoch)
    near.put("b", 2, near.epoch)
    near.get("a")
    near.put("c", 3, near.epoch)

    assert (near.get("a"), near.get("b"), near.get("c")) == (1, None, 3)


def test_a_value_read_before_an_invalidation_is_not_kept() -> None:
    near = connected()
    started = near.epoch  # a reader starts...
    near.forget_product("p1")  # ...the product changes meanwhile...
    near.put("product:p1", "old lamp", started)  # ...and the reader finishes.

    assert near.get("product:p1") is None


def test_forgetting_a_product_drops_it_and_every_page_only() -> None:
    near = connected()
    for key in ("p1", "p2"):
        near.put(PRODUCT_PREFIX + key, key, near.epoch)
    near.put(PAGE_PREFIX + "all", ["p1", "p2"], near.epoch)

    near.forget_product("p1")

    assert near.get(PRODUCT_PREFIX + "p1") is None
    assert near.get(PAGE_PREFIX + "all") is None
    assert near.get(PRODUCT_PREFIX + "p2") == "p2"
