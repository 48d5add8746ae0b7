"""What pages keep between requests, in one place: a value worked out once and kept in the
cache (each worker's memory by default, see `CACHES` in the settings) under a key made of
what it depends on, so a change of any of those parts is a new key, never a stale value.

Two kinds of parts make a key:
- **stamps** that change with what is shown (a user's roles stamp, the date, the language,
  which is always added), for values that must never be stale;
- a **time to live** alone, for figures the portal already reads with a little lag (the
  dashboard's region rollups, which `rollups --drain` brings up to date each minute).
"""

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.utils.translation import get_language

PREFIX = "ksm"


def key(name: str, *parts) -> str:
    """The cache key of `name` for these parts and the active language."""
    digest = hashlib.blake2b(repr((get_language(), parts)).encode(), digest_size=16)
    return f"{PREFIX}:{name}:{digest.hexdigest()}"


def kept(name: str, parts: tuple, compute: Callable[[], object], timeout: int, *, fresh=False):
    """`compute()`, or the value kept under `name` and `parts` for at most `timeout` seconds;
    `fresh` works it out again (and keeps that) when the caller knows it has just changed."""
    if fresh:
        value = compute()
        cache.set(key(name, *parts), value, timeout)
        return value
    return cache.get_or_set(key(name, *parts), compute, timeout)
