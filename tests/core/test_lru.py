from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from vanban.core.lru import Lru


def test_the_least_recently_used_entry_goes_first() -> None:
    cache: Lru[str] = Lru(2)
    cache.put("a", "A")
    cache.put("b", "B")
    assert cache.get("a") == "A"  # now "b" is the oldest
    cache.put("c", "C")
    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == ("A", None, "C", 2)
    cache.put("a", "A2")
    assert cache.get("a") == "A2" and len(cache) == 2


def test_many_threads_never_grow_it_past_its_size() -> None:
    cache: Lru[int] = Lru(8)
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda n: cache.put(n % 50, n), range(2000)))
    assert len(cache) == 8
