"""Time one leaver-file import, or its floor, and print the figures as JSON.

    python -m bench.import_worker import FILE NETWORK_SLUG ACTOR_EMAIL
    python -m bench.import_worker floor FILE NETWORK_SLUG

Run by the harness in a subprocess with the environment of the run, one process per measure, so
that ru_maxrss (the peak resident memory of this process) belongs to that measure alone.

- `import` is what the intake service does with an upload: read_table, guess_mapping, plan_import
  and apply_import, inside the network's scope.
- `floor` writes the same rows with a plain EmploymentRecord.objects.bulk_create (batch 2000). The
  file is read and planned first, untimed, so the floor gets already parsed values; the timed part
  is building the model instances and inserting them.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from typing import Any

FLOOR_BATCH_SIZE = 2000


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux: kilobytes


def _read_and_plan(path: str, network: Any) -> tuple[Any, Any, float, float]:
    from django.conf import settings

    from enishi.intake.importing import guess_mapping, plan_import
    from enishi.lib.spreadsheets import read_table

    started = time.perf_counter()
    with open(path, "rb") as handle:
        table = read_table(handle, path, max_bytes=settings.IMPORT_MAX_BYTES, max_rows=settings.IMPORT_MAX_ROWS)
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    plan = plan_import(network, table, guess_mapping(table.headers))
    return table, plan, read_s, time.perf_counter() - started


def run_import(path: str, slug: str, email: str) -> dict[str, Any]:
    from django_scopes import scope, scopes_disabled

    from enishi.accounts.models import User
    from enishi.intake.importing import apply_import
    from enishi.networks.models import Network

    with scopes_disabled():
        network = Network.objects.get(slug=slug)
        actor = User.objects.get(email=email)
    baseline_mb = _peak_rss_mb()
    started = time.perf_counter()
    with scope(network=network):
        table, plan, read_s, plan_s = _read_and_plan(path, network)
        applied = time.perf_counter()
        result = apply_import(network, actor, plan)
        apply_s = time.perf_counter() - applied
    seconds = time.perf_counter() - started
    return {
        "rows": len(table.rows), "encoding": table.encoding, "seconds": seconds,
        "read_s": read_s, "plan_s": plan_s, "apply_s": apply_s,
        "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
        "skipped": result.skipped, "baseline_rss_mb": baseline_mb, "peak_rss_mb": _peak_rss_mb(),
    }  # fmt: skip


def run_floor(path: str, slug: str) -> dict[str, Any]:
    from django_scopes import scope, scopes_disabled

    from enishi.intake.importing import RECORD_FIELDS
    from enishi.intake.models import EmploymentRecord
    from enishi.networks.models import Network

    with scopes_disabled():
        network = Network.objects.get(slug=slug)
    with scope(network=network):
        _, plan, _, _ = _read_and_plan(path, network)  # untimed: the floor starts from parsed values
        rows = [(outcome.key[0], outcome.values) for outcome in plan.outcomes if outcome.key is not None]
        started = time.perf_counter()
        records = [
            EmploymentRecord(network=network, company_id=company_id,
                             **{name: value for name, value in values.items() if name in RECORD_FIELDS})
            for company_id, values in rows
        ]  # fmt: skip
        EmploymentRecord.objects.bulk_create(records, batch_size=FLOOR_BATCH_SIZE)
        seconds = time.perf_counter() - started
    return {"rows": len(records), "seconds": seconds, "peak_rss_mb": _peak_rss_mb()}


def main(argv: list[str]) -> None:
    import django

    django.setup()
    mode, *args = argv
    figures = run_import(*args) if mode == "import" else run_floor(*args)
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1:])
