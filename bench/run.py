"""Run Enishi's benchmarks and write bench/results.json.

    python bench/run.py                      # everything (what `make bench` does)
    python bench/run.py --only seed_100k     # some, by name (`make bench ONLY=seed_100k`)
    python bench/run.py --list               # the names

Each run merges its figures into results.json: an entry of a benchmark that ran replaces the earlier
entry with the same (name, db); entries of benchmarks that did not run are kept; "machine" describes
this run's machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make `bench` and `enishi` importable

from bench import benchmarks  # noqa: E402, F401  (registers every benchmark)
from bench.context import DB_KINDS, Context  # noqa: E402
from bench.registry import REGISTRY, Result  # noqa: E402

RESULTS = ROOT / "bench" / "results.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run Enishi's benchmarks.")
    parser.add_argument("--only", default="", help="comma-separated benchmark names (default: all)")
    parser.add_argument("--list", action="store_true", help="print the benchmark names and exit")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(REGISTRY))
        return 0
    names = [name.strip() for name in args.only.split(",") if name.strip()] or list(REGISTRY)
    unknown = [name for name in names if name not in REGISTRY]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(REGISTRY)}")
    started = time.monotonic()
    results: list[Result] = []
    with Context(ROOT) as ctx:
        machine = describe_machine(ctx)
        for name in [name for name in REGISTRY if name in names]:  # registry order: shared databases first
            print(f"== {name}", flush=True)
            results.extend(REGISTRY[name](ctx))
    write_results(machine, results)
    print_table(results)
    print(f"Wrote {RESULTS.relative_to(ROOT)} in {time.monotonic() - started:.0f} s.")
    return 0


def describe_machine(ctx: Context) -> dict[str, Any]:
    import django

    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": _proc_field("/proc/cpuinfo", "model name"),
        "memory_gib": _memory_gib(),
        "load_average_at_start": [round(load, 2) for load in os.getloadavg()],
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": ctx.postgres_version(),
        "platform": platform.platform(),
    }


def _proc_field(path: str, key: str) -> str | None:
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        name, _, value = line.partition(":")
        if name.strip() == key:
            return value.strip()
    return None


def _memory_gib() -> float | None:
    total = _proc_field("/proc/meminfo", "MemTotal")  # "24567890 kB"
    return round(int(total.split()[0]) / 1024**2, 1) if total else None


def write_results(machine: dict[str, Any], results: list[Result]) -> None:
    fresh = [result.as_json() for result in results]
    ran = {(entry["name"], entry["db"]) for entry in fresh}
    kept = [entry for entry in _earlier_results() if (entry.get("name"), entry.get("db")) not in ran]
    document = {"machine": machine, "results": merge_entries(kept, fresh)}
    temporary = RESULTS.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    temporary.replace(RESULTS)  # never a half-written file


def _earlier_results() -> list[dict[str, Any]]:
    try:
        document = json.loads(RESULTS.read_text())
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as error:
        print(f"  note: could not read {RESULTS.relative_to(ROOT)} ({error}); starting it afresh", flush=True)
        return []
    entries = document.get("results", []) if isinstance(document, dict) else []
    return [entry for entry in entries if isinstance(entry, dict)]


def merge_entries(kept: list[dict[str, Any]], fresh: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Earlier and new entries in registry order (unknown names last), each name's databases together."""
    order = {name: index for index, name in enumerate(REGISTRY)}
    kinds = {kind: index for index, kind in enumerate(DB_KINDS)}

    def key(entry: dict[str, Any]) -> tuple[int, str, int]:
        return order.get(entry["name"], len(order)), entry["name"], kinds.get(entry.get("db", ""), len(kinds))

    return sorted(kept + fresh, key=key)


def print_table(results: list[Result]) -> None:
    print(f"\n{'benchmark':<20} {'db':<11} {'value':>10} {'unit':<6} {'floor':>8}")
    for result in results:
        value = "skipped" if result.value is None else f"{result.value:g}"
        floor = "" if result.floor is None else f"{result.floor:g}"
        print(f"{result.name:<20} {result.db:<11} {value:>10} {result.unit:<6} {floor:>8}")


if __name__ == "__main__":
    sys.exit(main())
