"""Seconds to verify 1,000 self-registrations against 100,000 employment records, against plain lookups.

For each database kind: a fresh migrated database with one single-company network, then one worker
process (`worker`, below) that

1. inserts 100,000 employment records (bulk_create, set_keys) whose people are drawn by the demo's
   PersonFactory: the demo name tables weighted like real Japanese names, so namesakes are as
   common as in a large company (佐藤 翔太 dozens of times);
2. publishes a purpose-of-use notice, creates 1,000 applicants (accounts and registration drafts)
   whose declared data corresponds to records: ~70 % exactly as HR has it, ~15 % with the kana in
   another width or script or with spaces, ~10 % with the leave year off by 2–3 years (outside the
   default tolerance of one year), ~5 % unknown to HR;
3. times `EmploymentRecord.objects.filter(network=…, company=…, kana_key=…)` for the 1,000
   applicants (the floor: one indexed lookup each, evaluated);
4. times `registration.submit(...)` for each of the 1,000 in turn, as the join page calls it: the
   whole verification (matching, flags, pending membership, notice acceptance and one consent,
   audit, automatic approval when one clear record matches).

The worker runs in its own process with the run's environment, like the import benchmark, and
prints its figures as JSON. PostgreSQL gets ANALYZE after the bulk insert (autovacuum would run
it within a minute of such an insert anyway). SQLite has no such daemon and nothing in the
application runs ANALYZE, so its main figure is measured without statistics, as shipped; a second
SQLite database, with ANALYZE after the insert, goes into `params.with_analyze` to show what
statistics change.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from bench.context import MIGRATE_TIMEOUT_S, SEED, BenchError, Context, Database
from bench.registry import Result, benchmark

NAME = "verify_1k_registrations"
RECORDS = 100_000
REGISTRATIONS = 1_000
NETWORK = "bench-registrations"
ADMIN = "admin@bench-registrations.example"
WORKER_TIMEOUT_S = 1800
INSERT_BATCH_SIZE = 2000
# Shares of the applicants (the rest, 5 %, are unknown to HR).
EXACT_SHARE = 0.70
KANA_VARIANT_SHARE = 0.15
YEAR_OFF_SHARE = 0.10
# Family names that are not in the demo tables: nobody in the records carries them.
UNKNOWN_FAMILY_NAMES = (("宍戸", "シシド"), ("雨宮", "アメミヤ"), ("神保", "ジンボ"), ("鬼塚", "オニヅカ"),
                        ("真壁", "マカベ"), ("相馬", "ソウマ"), ("早瀬", "ハヤセ"), ("桐生", "キリュウ"))  # fmt: skip


@benchmark(NAME)
def verify_1k_registrations(ctx: Context) -> list[Result]:
    results = []
    for kind, problem in ctx.kinds():
        if problem is not None:
            results.append(Result.skip(NAME, kind, "s", problem))
            continue
        results.append(_measure(ctx, kind))
    return results


def _measure(ctx: Context, kind: str) -> Result:
    figures = _run(ctx, kind, analyze=False)
    seconds, floor = figures["seconds"], figures["floor_seconds"]
    params = {
        "records": RECORDS, "registrations": REGISTRATIONS, "seed": SEED,
        "approved": figures["approved"], "queued": figures["queued"],
        "per_registration_ms": round(1000 * seconds / REGISTRATIONS, 2),
        "floor_per_lookup_ms": round(1000 * floor / REGISTRATIONS, 3),
        "cost_vs_floor": round(seconds / floor, 1) if floor else None,
        "applicants": figures["applicants"], "flags": figures["flags"],
        "largest_namesake_group": figures["largest_namesake_group"],
        "setup_seconds": round(figures["setup_seconds"], 1),
    }  # fmt: skip
    if kind == "sqlite":
        analysed = _run(ctx, kind, analyze=True)
        params["with_analyze"] = {
            "seconds": round(analysed["seconds"], 2), "floor_seconds": round(analysed["floor_seconds"], 3),
            "per_registration_ms": round(1000 * analysed["seconds"] / REGISTRATIONS, 2),
            "approved": analysed["approved"], "queued": analysed["queued"],
        }  # fmt: skip
    return Result(NAME, kind, round(seconds, 2), "s", floor=round(floor, 3), params=params)


def _run(ctx: Context, kind: str, *, analyze: bool) -> dict[str, Any]:
    database = ctx.fresh_database(kind)
    ctx.manage(database, "migrate", "--noinput", timeout=MIGRATE_TIMEOUT_S)  # not timed
    ctx.manage(database, "create_network", NETWORK, "ベンチ 登録確認", "--company", "ベンチ商事|Bench Trading",
               "--admin-email", ADMIN, timeout=120)  # fmt: skip
    label = f"{kind}{' with ANALYZE' if analyze and kind == 'sqlite' else ''}"
    print(f"  {label}: {RECORDS:,} records, {REGISTRATIONS:,} applicants; verifying", flush=True)
    figures = _worker(ctx, database, analyze)
    seconds, floor = figures["seconds"], figures["floor_seconds"]
    print(f"  {label}: {seconds:.1f} s ({1000 * seconds / REGISTRATIONS:.1f} ms each), floor {floor:.2f} s, "
          f"{figures['approved']} approved, {figures['queued']} queued", flush=True)  # fmt: skip
    return figures


def _worker(ctx: Context, database: Database, analyze: bool) -> dict[str, Any]:
    # Imported by name rather than run with -m, which would register the benchmark a second time.
    code = f"from bench.benchmarks.registrations import worker; worker(analyze={analyze})"
    command = [sys.executable, "-c", code]
    done = subprocess.run(command, cwd=ctx.root, env=ctx.env(database), capture_output=True, text=True,
                          timeout=WORKER_TIMEOUT_S, check=False)  # fmt: skip
    if done.returncode != 0:
        raise BenchError(f"{NAME} worker failed on {database.kind}:\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


# --- The worker process --------------------------------------------------------------------------


def worker(
    slug: str = NETWORK, records: int = RECORDS, registrations: int = REGISTRATIONS, *, analyze: bool = False
) -> None:
    """Prepare (untimed), measure the floor and the verification, print the figures as one JSON line."""
    import time

    import django

    django.setup()
    from django_scopes import scope, scopes_disabled

    from enishi.networks.models import Network

    with scopes_disabled():
        network = Network.objects.get(slug=slug)
    with scope(network=network):
        started = time.perf_counter()
        company_id, largest = _insert_records(network, records, analyze)
        applicants, categories = _applicants(network, company_id, registrations)
        setup_seconds = time.perf_counter() - started
        floor_seconds = _time_floor(network, company_id, applicants)
        seconds, outcome = _time_submits(network, applicants)
    print(json.dumps({
        "seconds": seconds, "floor_seconds": floor_seconds, "setup_seconds": setup_seconds,
        "applicants": categories, "largest_namesake_group": largest, **outcome,
    }))  # fmt: skip


def _insert_records(network: Any, count: int, analyze: bool) -> tuple[int, int]:
    """`count` records of one company, people drawn like the demo's alumni; returns the company id and
    the size of the largest group of namesakes (same kana reading)."""
    import random
    from collections import Counter
    from datetime import datetime

    from django.db import connection
    from django.utils import timezone

    from enishi.demo.catalogue import CompanySpec
    from enishi.demo.people import PersonFactory
    from enishi.intake.models import EmploymentRecord, LeaveReason
    from enishi.networks.models import Company

    company = Company.objects.get(network=network)
    spec = CompanySpec(company.name_ja, company.name_en, "ベンチ", "BT", 1, ("営業部", "人事部", "経理部", "開発部"))
    today = timezone.localdate()
    midnight = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    people = PersonFactory(random.Random(f"{SEED}:registrations"), (spec,), today, midnight)
    batch: list[EmploymentRecord] = []
    readings: Counter[str] = Counter()
    for number in range(1, count + 1):
        person = people.person()
        stint = person.stints[-1]
        record = EmploymentRecord(
            network_id=network.pk, company_id=company.pk, employee_number=f"BT{number:07d}",
            family_name=stint.family_name.kanji, given_name=person.given.kanji,
            family_name_kana=stint.family_name.kana, given_name_kana=person.given.kana,
            department=stint.department, hire_date=person.stints[0].hire_date, leave_date=stint.leave_date,
            leave_reason=LeaveReason.CAREER_CHANGE,
        )  # fmt: skip
        record.set_keys()
        readings[record.kana_key] += 1
        batch.append(record)
        if len(batch) == INSERT_BATCH_SIZE:
            EmploymentRecord.objects.bulk_create(batch)
            batch = []
    EmploymentRecord.objects.bulk_create(batch)
    if analyze or connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return company.pk, max(readings.values())


def _kana_variant(kana: str, rng: Any) -> str:
    """The same reading as people type it: hiragana, half-width katakana, or with spaces around."""
    from enishi.lib.japanese import to_hiragana

    choice = rng.randrange(3)
    if choice == 0:
        return to_hiragana(kana)
    if choice == 1:
        return "".join(_half_width(char) for char in kana)
    return f" {kana}\u3000"


_FULL_TO_HALF: dict[str, str] = {}


def _half_width(char: str) -> str:
    """Half-width katakana for a full-width one (NFKC goes the other way only)."""
    import unicodedata

    if not _FULL_TO_HALF:
        for code in range(0xFF61, 0xFFA0):
            half = chr(code)
            _FULL_TO_HALF.setdefault(unicodedata.normalize("NFKC", half), half)
        for code in range(0xFF61, 0xFFA0):  # voiced ones: ガ = ｶ + ﾞ
            for mark in ("\uff9e", "\uff9f"):
                _FULL_TO_HALF.setdefault(unicodedata.normalize("NFKC", chr(code) + mark), chr(code) + mark)
    return _FULL_TO_HALF.get(char, char)


def _applicants(network: Any, company_id: int, count: int) -> tuple[list[Any], dict[str, int]]:
    """Accounts and registration drafts of `count` applicants, read back ready for submit()."""
    import random
    from collections import Counter

    from django.contrib.auth.hashers import make_password

    from enishi.accounts.models import User
    from enishi.intake.models import EmploymentRecord, Registration

    rng = random.Random(f"{SEED}:applicants")
    ids = list(EmploymentRecord.objects.filter(network=network).order_by("pk").values_list("pk", flat=True))
    chosen = {record.pk: record for record in EmploymentRecord.objects.filter(pk__in=rng.sample(ids, count))}
    password = make_password("bench-password-not-used")
    users = User.objects.bulk_create(
        User(email=f"applicant{index:04d}@bench.example", password=password) for index in range(count)
    )
    shares = {"exact": EXACT_SHARE, "kana_variant": KANA_VARIANT_SHARE, "year_off": YEAR_OFF_SHARE}
    plan = [category for category, share in shares.items() for _ in range(round(share * count))]
    plan += ["unknown"] * (count - len(plan))
    rng.shuffle(plan)
    categories = Counter(plan)
    drafts = []
    for user, record, category in zip(users, chosen.values(), plan, strict=True):
        family, given = record.family_name, record.given_name
        family_kana, given_kana = record.family_name_kana, record.given_name_kana
        leave_year = record.leave_date.year if record.leave_date else None
        if category == "kana_variant":
            family_kana, given_kana = _kana_variant(family_kana, rng), _kana_variant(given_kana, rng)
        elif category == "year_off":
            leave_year = (leave_year or 2020) - rng.choice((2, 3))
        elif category == "unknown":
            family, family_kana = rng.choice(UNKNOWN_FAMILY_NAMES)
        drafts.append(Registration(
            network_id=network.pk, user=user, company_id=company_id, family_name=family, given_name=given,
            family_name_kana=family_kana, given_name_kana=given_kana, leave_year=leave_year,
            hire_year=record.hire_date.year if record.hire_date else None,
        ))  # fmt: skip
    Registration.objects.bulk_create(drafts)
    applicants = list(
        Registration.objects.filter(network=network).select_related("network", "user", "company").order_by("pk")
    )
    return applicants, dict(categories)


def _time_floor(network: Any, company_id: int, applicants: list[Any]) -> float:
    """One indexed lookup per applicant by name reading, rows fetched: the least verification can cost."""
    import time

    from enishi.intake.models import EmploymentRecord
    from enishi.lib.japanese import name_key

    keys = [name_key(a.family_name_kana, a.given_name_kana) for a in applicants]
    started = time.perf_counter()
    for key in keys:
        list(EmploymentRecord.objects.filter(network=network, company_id=company_id, kana_key=key))
    return time.perf_counter() - started


def _time_submits(network: Any, applicants: list[Any]) -> tuple[float, dict[str, Any]]:
    import time
    from collections import Counter

    from enishi.intake.access import intake_settings
    from enishi.intake.models import Registration
    from enishi.intake.registration import submit
    from enishi.privacy.models import ConsentPurpose
    from enishi.privacy.notices import publish_notice

    rules = intake_settings(network)
    notice = publish_notice(network, None, "ベンチマーク用の利用目的の通知です。", "A notice for the benchmark.")
    consents = [ConsentPurpose.DIRECTORY_LISTING]
    started = time.perf_counter()
    for registration in applicants:
        submit(rules, registration, consents, notice)
    seconds = time.perf_counter() - started
    sent = Registration.objects.filter(network=network)
    statuses = Counter(sent.values_list("status", flat=True))
    flags: Counter[str] = Counter(flag for flags in sent.values_list("flags", flat=True) for flag in flags)
    return seconds, {
        "approved": statuses.get(Registration.Status.APPROVED, 0),
        "queued": statuses.get(Registration.Status.PENDING, 0),
        "flags": dict(sorted(flags.items())),
    }
