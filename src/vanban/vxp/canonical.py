"""The string the SDK signs: its header map as compact JSON, in Java `HashMap` order.

The VNPT SDK (SDKVXP 2.0.x, `com.vpcp.services.VnptService`) keeps the request's values in a
`java.util.HashMap<String, String>`, walks it to emit one `XroadVnpt-<name>` header per
entry, and serialises the same walk with Gson's `JsonObject.toString()` — no spaces, keys
in the map's iteration order, non-ASCII left as is. The HMAC covers exactly that string, so
a verifier must use the string it received (never re-serialise it); a signer that wants to
look like the SDK reproduces the HashMap order, which depends only on the keys.
"""

from __future__ import annotations

import json
from collections.abc import Sequence


def java_string_hash(text: str) -> int:
    """`String.hashCode()` over UTF-16 code units, as a signed 32-bit int."""
    h = 0
    data = text.encode("utf-16-be")
    for i in range(0, len(data), 2):
        h = (31 * h + ((data[i] << 8) | data[i + 1])) & 0xFFFFFFFF
    return h - (1 << 32) if h & 0x80000000 else h


def java_hashmap_order(keys: Sequence[str]) -> list[str]:
    """The iteration order of a `new HashMap<>()` after putting `keys` in this order.

    Default capacity 16, load factor 0.75 (doubled while size > capacity × 0.75); bucket
    index = (h ^ (h >>> 16)) & (capacity − 1); within a bucket, insertion order (resizing
    keeps the relative order). Tree bins need ≥ 8 keys in one bucket: never for a header map.
    """
    unique = list(dict.fromkeys(keys))  # a repeated put keeps the first position
    capacity = 16
    while len(unique) > capacity * 0.75:
        capacity *= 2

    def bucket(key: str) -> int:
        h = java_string_hash(key) & 0xFFFFFFFF
        return (h ^ (h >> 16)) & (capacity - 1)

    return [k for _, _, k in sorted((bucket(k), i, k) for i, k in enumerate(unique))]


def gson_string(value: str) -> str:
    """A JSON string literal as Gson writes it (not HTML-safe; U+2028/U+2029 escaped)."""
    return json.dumps(value, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def gson_object(pairs: Sequence[tuple[str, str]]) -> str:
    """`JsonObject.toString()` of string properties added in this order."""
    return "{" + ",".join(f"{gson_string(k)}:{gson_string(v)}" for k, v in pairs) + "}"
