"""The staff dashboard's figures over a large network: first load and a change of date range, p95.

`dashboard_p95` (ms): one network of ALUMNI alumni in five companies, registered over three years by
every source, with ACTIVE_DAYS_PER_MEMBER active days each (50M rows at 1M alumni), and ENGAGEMENTS
engagement rows (news reads, RSVPs of published events with check-ins, opportunity interests and
applications: 10M at 1M alumni), all generated in SQL (generate_series on PostgreSQL, a recursive
series on SQLite) with the big tables' indexes dropped during the load and rebuilt after it. The
rollups are then built once (`rebuild_rollups`, timed: params `rebuild_s`), and the worker times what
the dashboard's first load computes: the KPIs and the figures of every section
(analytics.metrics.kpis + section for each of SECTIONS) for the default range, the twelve months up
to today, ROUNDS times after one warm-up; the value is the p95 of those rounds (p50 in params).

`dashboard_range_p95` (ms): the same for a changed range (the six months a year earlier, then a
company filter), alternating, ROUNDS times.

When the dashboard page exists (analytics' console route), the HTTP page is timed too: params
`http_p50_ms` / `http_p95_ms` of ROUNDS sequential GETs as the network's analyst.

PostgreSQL runs 1M alumni by default; SQLite 100k (BENCH_DASHBOARD_ALUMNI / _SQLITE_ALUMNI change
them). BENCH_DASHBOARD_DATABASE_URL points at a database to keep between runs: it is migrated,
populated once (a marker network tells), and not dropped.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from typing import Any

from bench.context import MIGRATE_TIMEOUT_S, BenchError, Context, Database
from bench.registry import Result, benchmark

NAME = "dashboard_p95"
RANGE_NAME = "dashboard_range_p95"
NETWORK = "bench-dashboard"
ALUMNI = {
    "postgresql": int(os.environ.get("BENCH_DASHBOARD_ALUMNI", "1000000")),
    "sqlite": int(os.environ.get("BENCH_DASHBOARD_SQLITE_ALUMNI", "100000")),
}
ACTIVE_DAYS_PER_MEMBER = 50
ENGAGEMENTS_PER_MEMBER = 10  # 6 news reads, 2.5 RSVPs, 1 interest, 0.5 application on average
COMPANIES = 5
NEWS_ITEMS = 500
EVENTS = 3000
OPPORTUNITIES = 200
SPAN_DAYS = 1100  # activity over the three years up to today
ROUNDS = int(os.environ.get("BENCH_DASHBOARD_ROUNDS", "30"))
KEEP_URL = os.environ.get("BENCH_DASHBOARD_DATABASE_URL", "")
WORKER_TIMEOUT_S = 4 * 3600
WORKER_CODE = "import sys; from bench.benchmarks.dashboard import main; main(sys.argv[1:])"


@benchmark(NAME)
def dashboard(ctx: Context) -> list[Result]:
    results = []
    for kind, problem in ctx.kinds():
        if problem is not None:
            results += [Result.skip(NAME, kind, "ms", problem), Result.skip(RANGE_NAME, kind, "ms", problem)]
            continue
        database = Database(kind, KEEP_URL) if KEEP_URL and kind == "postgresql" else ctx.fresh_database(kind)
        ctx.manage(database, "migrate", "--noinput", timeout=MIGRATE_TIMEOUT_S)
        print(f"  {kind}: populating {ALUMNI[kind]:,} alumni (or reusing the kept database)", flush=True)
        shape = _worker(ctx, database, "populate", str(ALUMNI[kind]))
        print(f"  {kind}: {shape}", flush=True)
        figures = _worker(ctx, database, "measure")
        if _page_exists():
            figures.update(_measure_page(ctx, database))
        print(f"  {kind}: first load p95 {figures['first_p95_ms']} ms, range p95 {figures['range_p95_ms']} ms",
              flush=True)  # fmt: skip
        params = {**shape, **figures, "rounds": ROUNDS, "load_average_1m": round(os.getloadavg()[0], 2)}
        results.append(Result(NAME, kind, figures["first_p95_ms"], "ms", params=params))
        results.append(Result(RANGE_NAME, kind, figures["range_p95_ms"], "ms", params=params))
    return results


def _page_exists() -> bool:
    return os.path.exists(os.path.join(os.path.dirname(__file__), "..", "..", "enishi", "analytics", "urls.py"))


def _measure_page(ctx: Context, database: Database) -> dict[str, Any]:
    """Sequential GETs of the dashboard page as the analyst (the server's own timing, over loopback)."""
    import urllib.error
    import urllib.request

    try:
        server = ctx.server(database)
        cookie = ctx.session_cookie(database, f"analyst@{NETWORK}.example")
        path = _worker(ctx, database, "page_path")["path"]
    except BenchError as error:
        return {"http_skipped": str(error)[:300]}
    timings = []
    for _round in range(ROUNDS + 1):
        request = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}", headers={"Cookie": cookie})
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()
                landed = response.geturl()
        except (urllib.error.URLError, OSError) as error:
            return {"http_skipped": f"{path}: {error}"[:300]}
        timings.append((time.perf_counter() - started) * 1000)
        if not landed.endswith(path):
            return {"http_skipped": f"{path} was redirected to {landed}"}
    return {"http_path": path, **_percentiles("http", timings[1:])}


def _worker(ctx: Context, database: Database, step: str, *args: str) -> dict[str, Any]:
    command = [sys.executable, "-c", WORKER_CODE, step, *args]
    done = subprocess.run(command, cwd=ctx.root, env=ctx.env(database), stdout=subprocess.PIPE, text=True,
                          timeout=WORKER_TIMEOUT_S, check=False)  # fmt: skip
    if done.returncode != 0:
        raise BenchError(f"dashboard worker step {step!r} failed on {database.kind} (its error is printed above)")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _percentiles(prefix: str, timings: list[float]) -> dict[str, float]:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {f"{prefix}_p50_ms": round(statistics.median(ordered), 1), f"{prefix}_p95_ms": round(p95, 1),
            f"{prefix}_max_ms": round(ordered[-1], 1)}  # fmt: skip


# --- The worker process --------------------------------------------------------------------------


class Sql:
    """The few expressions that differ between PostgreSQL and SQLite."""

    def __init__(self, vendor: str) -> None:
        self.vendor = vendor

    def series(self, count: int) -> str:
        """A FROM item `s` with a column n = 0 … count - 1."""
        return _from(self, count, "s")

    def day(self, first: date, offset: str) -> str:
        if self.vendor == "postgresql":
            return f"(DATE '{first.isoformat()}' + ({offset})::int)"
        return f"date('{first.isoformat()}', '+' || ({offset}) || ' days')"

    def moment(self, first: date, minutes: str) -> str:
        if self.vendor == "postgresql":
            return f"(TIMESTAMPTZ '{first.isoformat()} 00:00:00+00' + ({minutes}) * INTERVAL '1 minute')"
        return f"datetime('{first.isoformat()} 00:00:00', '+' || ({minutes}) || ' minutes')"

    def token(self, expression: str) -> str:
        if self.vendor == "postgresql":
            return f"md5(({expression})::text)"
        return f"('t' || ({expression}))"


def insert_select(model: Any, values: dict[str, str], source: str) -> int:
    """INSERT INTO model's table (every column) SELECT values FROM source: the columns not given take
    their field's constant default (NULL when nullable, now for auto_now ones)."""
    from django.db import connection

    columns, expressions, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.column not in values:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in values:
            expressions.append(values[field.column].replace("%", "%%"))
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            expressions.append("CURRENT_TIMESTAMP")
        elif field.has_default() and callable(field.default) and field.default not in (dict, list):
            raise BenchError(f"{model.__name__}.{field.name}: give a value (its default is computed per row)")
        else:
            expressions.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
    escaped = source.replace("%", "%%")
    target = f"{model._meta.db_table} ({', '.join(columns)})"
    sql = f"INSERT INTO {target} SELECT {', '.join(expressions)} FROM {escaped}"  # noqa: S608 - our own SQL
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def _without_indexes(tables: list[str]) -> list[str]:
    """Drop the secondary indexes and constraints of `tables` (PostgreSQL); the statements that restore them."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    restore = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                "AND contype IN ('u', 'f')", [table])  # fmt: skip
            for name, definition in cursor.fetchall():
                restore.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)", [table, table])  # fmt: skip
            for name, definition in cursor.fetchall():
                restore.append(definition)
                cursor.execute(f'DROP INDEX "{name}"')
    return restore


def populate(alumni: int) -> dict[str, Any]:
    """NETWORK with `alumni` alumni and their activity and engagements (once per database)."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from enishi.accounts.models import User
    from enishi.analytics.models import ActiveDay
    from enishi.comeback.models import Application, Interest, Opportunity
    from enishi.community.models import NewsItem, NewsRead
    from enishi.events.models import Event, Rsvp
    from enishi.intake.models import EmploymentRecord
    from enishi.networks.models import Company, Membership, Network
    from enishi.networks.roles import Role

    if Network.objects.filter(slug=NETWORK).exists():
        network = Network.objects.get(slug=NETWORK)
        return {"alumni": Membership.objects.filter(network=network, role=Role.ALUMNUS).count(), "reused": True}
    call_command("create_network", NETWORK, "ベンチ ダッシュボード", "--company", "ベンチ商事|Bench Trading",
                 "--admin-email", f"admin@{NETWORK}.example")  # fmt: skip
    network = Network.objects.get(slug=NETWORK)
    companies = [Company.objects.get(network=network)] + [
        Company.objects.create(network=network, name_ja=f"ベンチ{index}株式会社", position=index)
        for index in range(1, COMPANIES)
    ]
    analyst = User.objects.create_user(f"analyst@{NETWORK}.example", None, family_name="分析", given_name="担当")
    Membership.objects.create(network=network, user=analyst, role=Role.ANALYST, activated_at=timezone.now())
    sql = Sql(connection.vendor)
    today = timezone.localdate()
    first = today - timedelta(days=SPAN_DAYS)
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str) -> None:
        timings[f"{name}_s"] = round(time.perf_counter() - started - sum(timings.values()), 1)

    base_user = (User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    company_ids = [company.pk for company in companies]
    company_case = (
        "CASE " + " ".join(f"WHEN n % {COMPANIES} = {i} THEN {pk}" for i, pk in enumerate(company_ids)) + " END"
    )
    with transaction.atomic():
        insert_select(User, {"id": f"{base_user} + n", "email": f"'a' || n || '@{NETWORK}.example'",
                             "password": "'!'", "family_name": "'卒業'", "given_name": "'生' || n",
                             "date_joined": sql.moment(first, "n % 1500000")},
                      sql.series(alumni))  # fmt: skip
    lap("users")
    base_member = (Membership.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    with transaction.atomic():
        # Registered evenly over the three years; 1 in 20 left since, 1 in 100 suspended.
        insert_select(Membership, {
            "id": f"{base_member} + n", "network_id": str(network.pk), "user_id": f"{base_user} + n",
            "role": "'alumnus'",
            "state": "CASE WHEN n % 20 = 7 THEN 'left' WHEN n % 100 = 3 THEN 'suspended' ELSE 'active' END",
            "activated_at": sql.moment(first, f"(n * {SPAN_DAYS * 1440 // max(alumni, 1)}) % {SPAN_DAYS * 1440}"),
            "left_at": f"CASE WHEN n % 20 = 7 THEN {sql.moment(first, f'{SPAN_DAYS * 1440} - (n % 200) * 1440')} END",
            "suspended_at":
                f"CASE WHEN n % 100 = 3 THEN {sql.moment(first, f'{SPAN_DAYS * 1440} - (n % 90) * 1440')} END",
            "sort_name": "'a' || n", "last_active_on": sql.day(first, f"{SPAN_DAYS} - n % 30"),
        }, sql.series(alumni))  # fmt: skip
        insert_select(EmploymentRecord, {
            "network_id": str(network.pk), "company_id": company_case, "membership_id": f"{base_member} + n",
            "employee_number": "'E' || n", "family_name": "'卒業'", "given_name": "'生' || n",
            "leave_date": sql.day(date(2000, 1, 1), "(n * 7) % 9000"),
        }, sql.series(alumni))  # fmt: skip
    lap("members")
    restore = _without_indexes([ActiveDay._meta.db_table, NewsRead._meta.db_table, Rsvp._meta.db_table])
    with transaction.atomic():
        # 50 active days per member, one in each 22-day slot (distinct days), over the span.
        insert_select(ActiveDay, {
            "network_id": str(network.pk), "membership_id": f"{base_member} + m.n",
            "day": sql.day(first, "k.n * 22 + (m.n * 7 + k.n * 13) % 22"),
        }, f"{_from(sql, alumni, 'm')}, {_from(sql, ACTIVE_DAYS_PER_MEMBER, 'k')}")  # fmt: skip
    lap("active_days")
    author = User.objects.get(email=f"admin@{NETWORK}.example")
    news = NewsItem.objects.bulk_create(
        NewsItem(network=network, title=f"お知らせ {index}", body="本文", status="published", author=author,
                 publish_at=timezone.now() - timedelta(days=index * 2))
        for index in range(NEWS_ITEMS)
    )  # fmt: skip

    def event_start(index: int) -> datetime:
        return timezone.now() - timedelta(days=SPAN_DAYS - index * SPAN_DAYS // EVENTS)

    events = Event.objects.bulk_create(
        Event(network=network, title=f"交流会 {index}", starts_at=event_start(index),
              ends_at=event_start(index) + timedelta(hours=2),
              status="published", published_at=timezone.now() - timedelta(days=SPAN_DAYS))
        for index in range(EVENTS)
    )  # fmt: skip
    opportunities = Opportunity.objects.bulk_create(
        Opportunity(network=network, title=f"求人 {index}", kind=["full_time", "side_job", "project"][index % 3],
                    company=companies[index % COMPANIES], status="open")
        for index in range(OPPORTUNITIES)
    )  # fmt: skip
    news_base, event_base, opportunity_base = news[0].pk, events[0].pk, opportunities[0].pk
    with transaction.atomic():
        pairs = f"{_from(sql, alumni, 'm')}, {_from(sql, 6, 'k')}"
        insert_select(NewsRead, {
            "network_id": str(network.pk), "membership_id": f"{base_member} + m.n",
            "item_id": f"{news_base} + (m.n + k.n * 97) % {NEWS_ITEMS}",
            "read_at": sql.moment(first, f"((m.n * 31 + k.n * 1777) % {SPAN_DAYS}) * 1440 + m.n % 1440"),
        }, pairs)  # fmt: skip
        rsvp_pairs = f"{_from(sql, alumni, 'm')}, {_from(sql, 3, 'k')} WHERE (m.n + k.n) % 6 <> 0"
        insert_select(Rsvp, {
            "network_id": str(network.pk), "membership_id": f"{base_member} + m.n",
            "event_id": f"{event_base} + (m.n * 3 + k.n * 1001) % {EVENTS}",
            "status": "CASE WHEN m.n % 10 = 0 THEN 'cancelled' ELSE 'confirmed' END",
            "checked_in": "CASE WHEN m.n % 3 = 0 THEN 'venue' ELSE '' END",
            "check_in_token": sql.token("m.n * 10 + k.n"), "queued_at": sql.moment(first, "m.n % 100000"),
        }, rsvp_pairs)  # fmt: skip
        insert_select(Interest, {
            "network_id": str(network.pk), "membership_id": f"{base_member} + m.n",
            "opportunity_id": f"{opportunity_base} + m.n % {OPPORTUNITIES}",
            "created_at": sql.moment(first, f"(m.n * 13) % ({SPAN_DAYS} * 1440)"),
        }, _from(sql, alumni, "m"))  # fmt: skip
        insert_select(Application, {
            "network_id": str(network.pk), "membership_id": f"{base_member} + m.n",
            "opportunity_id": f"{opportunity_base} + (m.n + 1) % {OPPORTUNITIES}", "resume": "''",
            "created_at": sql.moment(first, f"(m.n * 17) % ({SPAN_DAYS} * 1440)"),
        }, f"{_from(sql, alumni, 'm')} WHERE m.n % 2 = 0")  # fmt: skip
    lap("engagements")
    with connection.cursor() as cursor:
        for statement in restore:
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
    lap("indexes")
    with connection.cursor() as cursor:
        counts = {}
        for model in (ActiveDay, NewsRead, Rsvp, Interest, Application):
            cursor.execute(f"SELECT count(*) FROM {model._meta.db_table}")  # noqa: S608 - a model's table
            counts[model._meta.db_table] = cursor.fetchone()[0]
    return {"alumni": alumni, "active_days": counts[ActiveDay._meta.db_table],
            "engagements": sum(value for table, value in counts.items() if table != ActiveDay._meta.db_table),
            "rows": counts, **timings}  # fmt: skip


def _from(sql: Sql, count: int, alias: str) -> str:
    if sql.vendor == "postgresql":
        return f"generate_series(0, {count - 1}) AS {alias}(n)"
    recursive = f"WITH RECURSIVE q(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM q WHERE n < {count - 1})"  # noqa: S608
    return f"({recursive} SELECT n FROM q) AS {alias}"  # noqa: S608 - numbers only


def measure() -> dict[str, Any]:
    from django.db import connection, reset_queries
    from django.utils import timezone

    from enishi.analytics import metrics, rollups
    from enishi.analytics.figures import Filters
    from enishi.analytics.models import RollupState
    from enishi.networks.models import Company, Network

    network = Network.objects.get(slug=NETWORK)
    started = time.perf_counter()
    state = RollupState.objects.filter(network=network).first()
    if state is None or state.rebuilt_at is None or os.environ.get("BENCH_DASHBOARD_REBUILD") == "1":
        rollups.rebuild(network)
    rebuild_s = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    rollups.refresh(network)
    refresh_s = round(time.perf_counter() - started, 1)
    first_load = metrics.default_filters(network)
    today = timezone.localdate()
    earlier = Filters(date(today.year - 1, 1, 1), date(today.year - 1, 6, 30))
    company = Company.objects.filter(network=network).order_by("pk").values_list("pk", flat=True)[1]
    changed = [earlier, Filters(first_load.start, first_load.end, company)]

    def everything(filters: Filters) -> float:
        begun = time.perf_counter()
        metrics.kpis(network, filters)
        for name in metrics.SECTIONS:
            metrics.section(network, name, filters)
        return (time.perf_counter() - begun) * 1000

    everything(first_load)  # warm-up: connection, imports
    first_timings = [everything(first_load) for _round in range(ROUNDS)]
    range_timings = [everything(changed[index % 2]) for index in range(ROUNDS)]
    reset_queries()
    connection.force_debug_cursor = True
    everything(first_load)
    queries = len(connection.queries)
    connection.force_debug_cursor = False
    first = _percentiles("first", first_timings)
    ranged = _percentiles("range", range_timings)
    return {**first, **ranged, "queries_first_load": queries, "rebuild_s": rebuild_s, "refresh_s": refresh_s}


def page_path() -> dict[str, Any]:
    from django.urls import reverse

    from enishi.networks.models import Network

    # The bench's analyst has no second factor: a staff MFA requirement would redirect every GET.
    Network.objects.filter(slug=NETWORK).update(staff_mfa_required=False)
    return {"path": reverse("manage:dashboard", args=[NETWORK])}


def main(argv: list[str]) -> None:
    """A worker step (`WORKER_CODE populate N|measure|page_path`, DATABASE_URL set); JSON on stdout."""
    import django

    django.setup()
    from django_scopes import scopes_disabled

    step = argv[0] if argv else ""
    with scopes_disabled():
        if step == "populate":
            figures = populate(int(argv[1]))
        elif step == "measure":
            figures = measure()
        elif step == "page_path":
            figures = page_path()
        else:
            raise SystemExit("usage: python -c WORKER_CODE populate N|measure|page_path")
    print(json.dumps(figures, ensure_ascii=False))
