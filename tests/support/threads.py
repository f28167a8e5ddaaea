"""Real threads started at one instant, for the tests that race writers against each other on PostgreSQL."""

import threading

from django.db import connection


def race(count: int, attempt) -> list:
    """Run attempt(0) ... attempt(count - 1) in `count` threads released together; each one's result or exception."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index):
        try:
            barrier.wait()
            results[index] = attempt(index)
        except Exception as exc:  # recorded and asserted on by the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
