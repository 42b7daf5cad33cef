"""How long `seed_demo` takes to fill a fresh database."""

from __future__ import annotations

from bench.context import MIGRATE_TIMEOUT_S, SEED, SEED_TIMEOUT_S, Context
from bench.registry import Result, benchmark

ALUMNI = 100_000


@benchmark("seed_100k")
def seed_100k(ctx: Context) -> list[Result]:
    results = []
    for kind, problem in ctx.kinds():
        if problem is not None:
            results.append(Result.skip("seed_100k", kind, "s", problem))
            continue
        database = ctx.fresh_database(kind)
        ctx.manage(database, "migrate", "--noinput", timeout=MIGRATE_TIMEOUT_S)  # not timed
        print(f"  {kind}: seed_demo --alumni {ALUMNI:,}", flush=True)
        seconds, output = ctx.timed_manage(database, "seed_demo", "--alumni", str(ALUMNI), "--seed", str(SEED),
                                           timeout=SEED_TIMEOUT_S)  # fmt: skip
        ctx.remember_seeded(database, ALUMNI)
        summary = next((line for line in output.splitlines() if line.startswith("Demo ready")), "")
        print(f"  {kind}: {seconds:.1f} s", flush=True)
        params = {"alumni": ALUMNI, "seed": SEED, "command_output": summary, "alumni_per_s": round(ALUMNI / seconds)}
        results.append(Result("seed_100k", kind, round(seconds, 1), "s", params=params))
    return results
