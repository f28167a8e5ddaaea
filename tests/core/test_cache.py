"""The cache degrades with Redis gone (a private redis-server, stopped and frozen): misses, dropped writes, one log
line naming the exception class, and no stale value once Redis answers again."""

import logging
import os
import signal

import pytest

from clinic.core.cache import DegradingRedisCache
from tests.support.services import PrivateRedis


@pytest.fixture
def redis():
    with PrivateRedis() as server:
        yield server


def make_cache(redis, **options):
    return DegradingRedisCache(redis.url, {"KEY_PREFIX": "t", "OPTIONS": {"RETRY_AFTER_SECONDS": 0, **options}})


def test_it_reads_misses_and_drops_writes_while_redis_is_stopped(redis, caplog):
    cache = make_cache(redis)
    cache.set("footer", ["a location"])
    redis.stop()

    with caplog.at_level(logging.WARNING, logger="clinic.core.cache"):
        assert cache.get("footer") is None
        assert cache.get("footer", "default") == "default"
        assert cache.get_or_set("footer", lambda: ["from the database"]) == ["from the database"]
        assert cache.add("new", 1) is False
        cache.set("footer", ["changed"])
        cache.delete("footer")
        assert cache.get_many(["footer", "new"]) == {}
        assert cache.has_key("footer") is False
        with pytest.raises(ValueError, match="not found"):
            cache.incr("counter")

    assert "Redis unreachable (ConnectionError)" in caplog.text
    assert "a location" not in caplog.text


def test_it_forgets_keys_written_during_an_outage_when_redis_answers_again(redis):
    """Redis frozen (unreachable, not restarted): the version bump written meanwhile was dropped, so the old value
    must not come back; it is deleted before the first read after the outage."""
    cache = make_cache(redis, socket_timeout=0.2, socket_connect_timeout=0.2)
    cache.set("content-version", "old")
    cache.set("untouched", "kept")
    os.kill(redis.proc.pid, signal.SIGSTOP)
    try:
        cache.set("content-version", "new")  # dropped
    finally:
        os.kill(redis.proc.pid, signal.SIGCONT)

    assert cache.get("content-version") is None
    assert cache.get("untouched") == "kept"
    cache.set("content-version", "newer")
    assert cache.get("content-version") == "newer"


def test_it_skips_redis_for_a_while_after_an_error(redis):
    cache = make_cache(redis, RETRY_AFTER_SECONDS=3600)
    redis.stop()
    assert cache.get("x") is None
    assert cache.degraded

    redis.start()
    # Still within the pause: the cache does not ask Redis, so the write is dropped and remembered.
    cache.set("x", 1)
    assert cache.get("x") is None
    cache._down_until = 0  # the pause is over
    assert cache.get("x") is None  # the dropped write was forgotten, not replayed
    cache.set("x", 2)
    assert cache.get("x") == 2
    assert cache.ping() is True


def test_it_counts_rate_limits_in_process_memory_while_redis_is_down(redis):
    cache = make_cache(redis, FALLBACK="local")
    redis.stop()

    assert cache.add("hits", 1) is True
    assert cache.incr("hits") == 2
    assert cache.incr("hits") == 3
    assert cache.get("hits") == 3
    assert cache.ping() is False
