"""A small closed-loop load generator: a few threads, each with its own keep-alive connection.

Bounded twice: at most `max_requests` requests and at most `max_seconds` seconds per measure.
Only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

CLIENTS = 4  # two per gunicorn worker: a worker never waits for the next request
MAX_REQUESTS = 2000
MAX_SECONDS = 10.0
REQUEST_TIMEOUT_S = 30
WARMUP_REQUESTS = 20  # imports, template compilation and connections happen before the clock starts


@dataclass
class LoadResult:
    requests: int
    seconds: float
    latencies_ms: list[float] = field(repr=False)
    statuses: Counter[int]
    errors: int
    rounds_rps: list[float] = field(default_factory=list)  # when this is the best of several rounds

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def summary(self) -> dict[str, object]:
        quantiles = statistics.quantiles(self.latencies_ms, n=20) if len(self.latencies_ms) > 1 else [0.0] * 19
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 2),
            "p50_ms": round(quantiles[9], 1),
            "p95_ms": round(quantiles[18], 1),
            "errors": self.errors,
            **({"rounds_rps": self.rounds_rps} if self.rounds_rps else {}),
        }


class _Budget:
    """Hands out request slots until the count or the time runs out."""

    def __init__(self, max_requests: int, max_seconds: float) -> None:
        self.left = max_requests
        self.deadline = time.monotonic() + max_seconds
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0 or time.monotonic() >= self.deadline:
                return False
            self.left -= 1
            return True


def _get(connection: http.client.HTTPConnection, path: str, cookie: str) -> int:
    connection.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
    response = connection.getresponse()
    response.read()  # the whole body, as a browser would
    return response.status


def _client(port: int, path: str, cookie: str, budget: _Budget, out: LoadResult, lock: threading.Lock) -> None:
    # http.client reconnects by itself when the server closes the connection (gunicorn sync workers do).
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    errors = 0
    while budget.take():
        started = time.perf_counter()
        try:
            status = _get(connection, path, cookie)
        except (OSError, http.client.HTTPException):
            connection.close()
            errors += 1
            continue
        latencies.append((time.perf_counter() - started) * 1000)
        statuses[status] += 1
    connection.close()
    with lock:
        out.latencies_ms.extend(latencies)
        out.statuses.update(statuses)
        out.errors += errors + sum(count for status, count in statuses.items() if status != 200)


def measure(
    port: int, path: str, cookie: str, *, clients: int = CLIENTS, max_requests: int = MAX_REQUESTS,
    max_seconds: float = MAX_SECONDS,
) -> LoadResult:  # fmt: skip
    warmup = _Budget(WARMUP_REQUESTS, max_seconds)
    _run(port, path, cookie, clients, warmup, LoadResult(0, 0.0, [], Counter(), 0))
    result = LoadResult(0, 0.0, [], Counter(), 0)
    started = time.perf_counter()
    _run(port, path, cookie, clients, _Budget(max_requests, max_seconds), result)
    result.seconds = time.perf_counter() - started
    result.requests = len(result.latencies_ms)
    return result


def _run(port: int, path: str, cookie: str, clients: int, budget: _Budget, out: LoadResult) -> None:
    lock = threading.Lock()
    threads = [
        threading.Thread(target=_client, args=(port, path, cookie, budget, out, lock), daemon=True)
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        # Each thread stops at the deadline; a request in flight then has its socket timeout.
        thread.join(timeout=MAX_SECONDS + REQUEST_TIMEOUT_S + 5)
