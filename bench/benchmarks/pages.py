"""Requests per second of pages, against the floor: the cheapest page served the same way."""

from __future__ import annotations

import os

from bench import load
from bench.context import BenchError, Context, Database
from bench.registry import Result, benchmark
from bench.server import FLOOR_PATH, WORKERS

MAX_ERROR_SHARE = 0.01  # a few resets are noise; more means the figure measures failures
# Other work on the machine can only slow a round down, never speed it up: the best round is the
# figure least disturbed by it. Every round is kept in the params.
ROUNDS = 3


def _floor(ctx: Context, database: Database, cookie: str) -> load.LoadResult:
    """The floor of this database's server, measured once per run and shared by page benchmarks."""
    key = f"floor:{database.kind}"
    if key not in ctx.shared:
        server = ctx.server(database)
        print(f"  {database.kind}: floor {FLOOR_PATH}", flush=True)
        ctx.shared[key] = _best_of_rounds(server.port, FLOOR_PATH, cookie)
    floor: load.LoadResult = ctx.shared[key]
    return floor


def _best_of_rounds(port: int, path: str, cookie: str) -> load.LoadResult:
    rounds = [_checked(load.measure(port, path, cookie), path) for _ in range(ROUNDS)]
    best = max(rounds, key=lambda result: result.rps)
    best.rounds_rps = [round(result.rps, 1) for result in rounds]
    return best


def _checked(result: load.LoadResult, path: str) -> load.LoadResult:
    if result.requests == 0 or result.errors > MAX_ERROR_SHARE * result.requests:
        raise BenchError(f"{path}: {result.errors} of {result.requests} requests failed ({dict(result.statuses)})")
    return result


def page_rps(ctx: Context, name: str, path: str, email: str) -> list[Result]:
    results = []
    for kind, problem in ctx.kinds():
        if problem is not None:
            results.append(Result.skip(name, kind, "req/s", problem))
            continue
        database = ctx.seeded_database(kind)
        server = ctx.server(database)
        cookie = ctx.session_cookie(database, email)
        floor = _floor(ctx, database, cookie)
        print(f"  {kind}: {path} as {email}", flush=True)
        load_average = round(os.getloadavg()[0], 2)  # other work on the machine skews the figure
        page = _best_of_rounds(server.port, path, cookie)
        print(f"  {kind}: {page.rps:.0f} req/s (floor {floor.rps:.0f})", flush=True)
        params = {
            "path": path, "as": email, "seeded_alumni": database.alumni, "gunicorn_workers": WORKERS,
            "clients": load.CLIENTS, **page.summary(), "floor": floor.summary(), "load_average_1m": load_average,
        }  # fmt: skip
        results.append(Result(name, kind, round(page.rps, 1), "req/s", floor=round(floor.rps, 1), params=params))
    return results


@benchmark("members_list_rps")
def members_list_rps(ctx: Context) -> list[Result]:
    return page_rps(ctx, "members_list_rps", "/n/demo/manage/members/", "admin@demo.example")


@benchmark("alumni_home_rps")
def alumni_home_rps(ctx: Context) -> list[Result]:
    return page_rps(ctx, "alumni_home_rps", "/n/demo/", "alumni1@demo.example")
