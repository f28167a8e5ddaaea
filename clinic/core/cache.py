"""The cache backend: Django's RedisCache that degrades instead of failing when Redis is unreachable.

Redis is a cache and a broker here, never the record ("When parts fail" in the README). With it down, a read is a
miss, a write is dropped, `add` reports nothing added and `incr` a missing key, so every caller takes the path it
takes on a cold cache. One log line per outage and process says so, by exception class only.

Two things keep an outage cheap and a recovery correct:

* a circuit: after a connection error the backend stops asking Redis for RETRY_AFTER_SECONDS (default 5), so a page
  that reads the cache ten times does not pay ten connect timeouts;
* keys whose write was dropped are remembered and deleted as soon as Redis answers again. A write is how the code
  says "this changed" (a content version bumped, a diary invalidated); if Redis was only unreachable, not restarted,
  the old value would otherwise come back. Deleting makes it a miss, which is always safe.

OPTIONS["FALLBACK"] = "local" instead keeps a per-process memory cache for the outage (rate-limit counters: they
still count, per process, rather than letting everyone through or no one).
"""

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
# Beyond this many dropped writes in one outage, forget them one by one and flush the cache database instead.
MAX_REMEMBERED_KEYS = 10_000


class DegradingRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS", {}))
        self.retry_after = float(options.pop("RETRY_AFTER_SECONDS", 5))
        fallback = options.pop("FALLBACK", None)
        # Fail in well under a second: a page waits on these when Redis is gone.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 1)
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._dropped: set[str] = set()
        self._flush_on_return = False
        self._local = LocMemCache(f"degraded-{id(self)}", {"OPTIONS": {"MAX_ENTRIES": 10_000}}) if fallback else None
        if fallback not in (None, "local"):
            raise ValueError(f"Unknown cache FALLBACK {fallback!r}; use 'local' or leave it out.")

    # --- Health ------------------------------------------------------------------------------------------------

    @property
    def degraded(self) -> bool:
        """Whether the last contact with Redis failed less than RETRY_AFTER_SECONDS ago."""
        return time.monotonic() < self._down_until

    def ping(self) -> bool:
        """Ask Redis directly (for /healthz), bypassing the circuit."""
        try:
            return bool(self._cache.get_client(None).ping())
        except UNREACHABLE as exc:
            self._trip(exc)
            return False

    # --- The guard around every operation ------------------------------------------------------------------------

    def _trip(self, exc: BaseException) -> None:
        with self._lock:
            was_up = not self.degraded
            self._down_until = time.monotonic() + self.retry_after
        if was_up:
            logger.warning(
                "cache: Redis unreachable (%s); reads are misses for the next %ss",
                exc.__class__.__name__,
                self.retry_after,
            )

    def _recover(self) -> None:
        """Redis answers again: make every key whose write was dropped a miss before anyone reads it."""
        with self._lock:
            dropped, flush = list(self._dropped), self._flush_on_return
        if flush:
            self._cache.clear()
        elif dropped:
            self._cache.delete_many(dropped)
        with self._lock:  # only once Redis took them: a failure above keeps them for the next try
            self._dropped.difference_update(dropped)
            self._flush_on_return = self._flush_on_return and not flush
        if flush or dropped:
            logger.info(
                "cache: Redis is back; %s keys written during the outage forgotten", "all" if flush else len(dropped)
            )

    def _remember(self, keys) -> None:
        with self._lock:
            self._dropped.update(keys)
            if len(self._dropped) > MAX_REMEMBERED_KEYS:
                self._dropped.clear()
                self._flush_on_return = True

    def _guard(self, operation, *, written: tuple[str, ...] = (), on_failure):
        """Run `operation` against Redis; when it is unreachable, remember `written` keys and use `on_failure`."""
        if not self.degraded:
            try:
                if self._dropped or self._flush_on_return:
                    self._recover()
                return operation()
            except UNREACHABLE as exc:
                self._trip(exc)
        if written:
            self._remember(written)
        return on_failure()

    def _key(self, key, version) -> str:
        return self.make_and_validate_key(key, version=version)

    # --- The cache API ------------------------------------------------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(
            lambda: super(DegradingRedisCache, self).add(key, value, timeout, version),
            written=(self._key(key, version),),
            on_failure=lambda: self._local.add(key, value, timeout, version) if self._local else False,
        )

    def get(self, key, default=None, version=None):
        return self._guard(
            lambda: super(DegradingRedisCache, self).get(key, default, version),
            on_failure=lambda: self._local.get(key, default, version) if self._local else default,
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(
            lambda: super(DegradingRedisCache, self).set(key, value, timeout, version),
            written=(self._key(key, version),),
            on_failure=lambda: self._local.set(key, value, timeout, version) if self._local else None,
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(
            lambda: super(DegradingRedisCache, self).touch(key, timeout, version),
            on_failure=lambda: self._local.touch(key, timeout, version) if self._local else False,
        )

    def delete(self, key, version=None):
        return self._guard(
            lambda: super(DegradingRedisCache, self).delete(key, version),
            written=(self._key(key, version),),
            on_failure=lambda: self._local.delete(key, version) if self._local else False,
        )

    def get_many(self, keys, version=None):
        return self._guard(
            lambda: super(DegradingRedisCache, self).get_many(keys, version),
            on_failure=lambda: self._local.get_many(keys, version) if self._local else {},
        )

    def has_key(self, key, version=None):
        return self._guard(
            lambda: super(DegradingRedisCache, self).has_key(key, version),
            on_failure=lambda: self._local.has_key(key, version) if self._local else False,
        )

    def incr(self, key, delta=1, version=None):
        def missing():
            if self._local:
                return self._local.incr(key, delta, version)
            raise ValueError("Key not found (the cache is unreachable).")

        return self._guard(
            lambda: super(DegradingRedisCache, self).incr(key, delta, version),
            written=(self._key(key, version),),
            on_failure=missing,
        )

    def set_many(self, data: dict[str, Any], timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(
            lambda: super(DegradingRedisCache, self).set_many(data, timeout, version),
            written=tuple(self._key(key, version) for key in data),
            on_failure=lambda: self._local.set_many(data, timeout, version) if self._local else list(data),
        )

    def delete_many(self, keys, version=None):
        keys = list(keys)
        return self._guard(
            lambda: super(DegradingRedisCache, self).delete_many(keys, version),
            written=tuple(self._key(key, version) for key in keys),
            on_failure=lambda: self._local.delete_many(keys, version) if self._local else None,
        )

    def clear(self):
        def dropped():
            with self._lock:
                self._flush_on_return = True
            if self._local:
                self._local.clear()

        return self._guard(lambda: super(DegradingRedisCache, self).clear(), on_failure=dropped)
