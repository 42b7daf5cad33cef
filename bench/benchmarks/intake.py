"""Rows per second of importing a 100,000-row CP932 leaver file, against a plain bulk_create."""

from __future__ import annotations

import csv
import io
import json
import random
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.context import MIGRATE_TIMEOUT_S, SEED, BenchError, Context, Database
from bench.registry import Result, benchmark

NAME = "import_100k_cp932"
ROWS = 100_000
HEADERS = ("社員番号", "氏名", "フリガナ", "部署", "入社日", "退職日", "退職理由", "再雇用可否")
DEPARTMENTS = ("営業部", "人事部", "経理部", "総務部", "開発部", "製造部", "品質保証部", "法務部", "広報部", "購買部")
LEAVE_REASONS = ("転職", "育児", "介護", "留学", "転居", "定年退職", "その他", "")
REHIRE = ("可", "不可", "条件付き", "", "○", "×")
REIWA_START = date(2019, 5, 1)
HEISEI_START = date(1989, 1, 8)
IMPORT_TIMEOUT_S = 1800
NETWORK = "bench-import"
FLOOR_NETWORK = "bench-floor"
ADMIN = "admin@bench-import.example"
COST_TARGET = 4.0  # the limit: an import may cost at most 4 times the plain bulk_create


def _japanese(day: date, rng: random.Random) -> str:
    """2015/4/1 for about half the dates, the era form (令和2年3月31日, 平成27年4月1日) for the rest."""
    if rng.random() < 0.5 or day < HEISEI_START:
        return f"{day.year}/{day.month}/{day.day}"
    era, first = ("令和", 2019) if day >= REIWA_START else ("平成", 1989)
    year = day.year - first + 1
    return f"{era}{'元' if year == 1 else year}年{day.month}月{day.day}日"


def leaver_csv(rows: int = ROWS, seed: int = SEED) -> bytes:
    """A deterministic leaver file in CP932 with CRLF line ends, as Excel on Japanese Windows saves it."""
    from enishi.demo.names import FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES

    rng = random.Random(seed)
    given_names = MALE_GIVEN_NAMES + FEMALE_GIVEN_NAMES
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for number in range(1, rows + 1):
        family, given = rng.choice(FAMILY_NAMES), rng.choice(given_names)
        hire = date(1990, 4, 1) + timedelta(days=rng.randrange(30 * 365))
        leave = min(hire + timedelta(days=rng.randrange(60, 20 * 365)), date(2026, 3, 31))
        writer.writerow((
            f"{number:07d}", f"{family.kanji}\u3000{given.kanji}", f"{family.kana}\u3000{given.kana}",
            rng.choice(DEPARTMENTS), _japanese(hire, rng), _japanese(leave, rng), rng.choice(LEAVE_REASONS),
            rng.choice(REHIRE),
        ))  # fmt: skip
    return out.getvalue().encode("cp932")


def _worker(ctx: Context, database: Database, *args: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.import_worker", *args]
    done = subprocess.run(command, cwd=ctx.root, env=ctx.env(database), capture_output=True, text=True,
                          timeout=IMPORT_TIMEOUT_S, check=False)  # fmt: skip
    if done.returncode != 0:
        raise BenchError(f"import_worker {args[0]} failed on {database.kind}:\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _create_network(ctx: Context, database: Database, slug: str) -> None:
    ctx.manage(database, "create_network", slug, f"ベンチ {slug}", "--company", "ベンチ商事|Bench Trading",
               "--admin-email", ADMIN, timeout=120)  # fmt: skip


@benchmark(NAME)
def import_100k_cp932(ctx: Context) -> list[Result]:
    path = ctx.workdir / "leavers-100k-cp932.csv"
    if not path.exists():
        path.write_bytes(leaver_csv())
    size_mb = round(path.stat().st_size / 1024**2, 1)
    results = []
    for kind, problem in ctx.kinds():
        if problem is not None:
            results.append(Result.skip(NAME, kind, "rows/s", problem))
            continue
        results.append(_measure(ctx, kind, path, size_mb))
    return results


def _measure(ctx: Context, kind: str, path: Path, size_mb: float) -> Result:
    database = ctx.fresh_database(kind)
    ctx.manage(database, "migrate", "--noinput", timeout=MIGRATE_TIMEOUT_S)  # not timed
    _create_network(ctx, database, NETWORK)
    _create_network(ctx, database, FLOOR_NETWORK)
    print(f"  {kind}: importing {ROWS:,} rows ({size_mb} MB, CP932)", flush=True)
    first = _worker(ctx, database, "import", str(path), NETWORK, ADMIN)
    if first["created"] != ROWS:
        raise BenchError(f"{kind}: the import created {first['created']} records, not {ROWS}: {first}")
    print(f"  {kind}: {first['seconds']:.1f} s; importing the same file again", flush=True)
    again = _worker(ctx, database, "import", str(path), NETWORK, ADMIN)
    if again["created"] or again["updated"]:
        raise BenchError(f"{kind}: re-importing the same file wrote records: {again}")
    print(f"  {kind}: {again['seconds']:.1f} s; floor: bulk_create of the same rows", flush=True)
    floor = _worker(ctx, database, "floor", str(path), FLOOR_NETWORK)
    value, floor_rps = ROWS / first["seconds"], ROWS / floor["seconds"]
    cost = floor_rps / value
    print(f"  {kind}: {value:.0f} rows/s, floor {floor_rps:.0f} rows/s, cost {cost:.1f}× the floor", flush=True)
    params = {
        "rows": ROWS, "file_mb": size_mb, "encoding": first["encoding"], "seed": SEED,
        "seconds": round(first["seconds"], 2), "read_s": round(first["read_s"], 2),
        "plan_s": round(first["plan_s"], 2), "apply_s": round(first["apply_s"], 2),
        "peak_rss_mb": first["peak_rss_mb"], "baseline_rss_mb": first["baseline_rss_mb"],
        "floor_seconds": round(floor["seconds"], 2), "floor_peak_rss_mb": floor["peak_rss_mb"],
        "cost_vs_floor": round(cost, 2), "cost_target": COST_TARGET,
        "reimport_seconds": round(again["seconds"], 2), "reimport_unchanged": again["unchanged"],
        "reimport_created": again["created"], "reimport_peak_rss_mb": again["peak_rss_mb"],
    }  # fmt: skip
    return Result(NAME, kind, round(value, 1), "rows/s", floor=round(floor_rps, 1), params=params)
