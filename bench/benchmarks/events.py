"""Events: RSVPs arriving all at once for a capacity-limited event, and the alumni event list page.

`rsvp_concurrent_500` (seconds, lower is better): a fresh migrated database with one network, RSVP_PEOPLE
active alumni and one published event of capacity RSVP_CAPACITY. Then RACE_PROCESSES processes of
RACE_THREADS threads each (every thread on its own database connection, connected before the start)
wait on one barrier; released together, they call `services.rsvp` for RSVP_PEOPLE distinct members
(the work is shared out in advance, each thread answering its members one after the other, as a
server's workers would). The value is the wall time from the release to the last answer; params hold
the confirmed, waitlisted and error counts and the latency of one RSVP (p50, p95, max). Raises
BenchError unless exactly RSVP_CAPACITY are confirmed, the rest waitlisted, and no call failed.
Concurrency is bounded by connections, not by people: PostgreSQL's default max_connections is 100,
and a deployment's gunicorn workers × threads bound it the same way. Both databases: on SQLite every
writer waits for the database lock (busy timeout 20 s), which is its honest figure.

`event_list_rps` (req/s, with the floor): the seeded database of the page benchmarks (the demo, 10k
alumni) plus LIST_EVENTS published events over two years and LIST_RSVPS RSVPs (loaded once per
database by the worker step `load`), measured as the demo alumnus on /n/demo/events/ (upcoming,
the default tab) against the floor view of the same server, as pages.py does. PostgreSQL's tables
are analysed after the load (autovacuum would within a minute); SQLite is measured as loaded.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from typing import Any

from bench import load
from bench.benchmarks.pages import _best_of_rounds, _floor
from bench.context import MIGRATE_TIMEOUT_S, BenchError, Context, Database
from bench.registry import Result, benchmark
from bench.server import WORKERS

RSVP_NAME = "rsvp_concurrent_500"
LIST_NAME = "event_list_rps"
RSVP_PEOPLE = int(os.environ.get("BENCH_RSVP_PEOPLE", "500"))
RSVP_CAPACITY = int(os.environ.get("BENCH_RSVP_CAPACITY", "300"))
# 40 connections in all, well under PostgreSQL's default max_connections (100); processes rather than
# threads, as a server's workers are (threads of one process would queue for its GIL).
RACE_PROCESSES = int(os.environ.get("BENCH_RSVP_PROCESSES", "20"))
RACE_THREADS = int(os.environ.get("BENCH_RSVP_THREADS", "2"))
NETWORK = "bench-events"
LIST_EVENTS = int(os.environ.get("BENCH_LIST_EVENTS", "2000"))
LIST_RSVPS = int(os.environ.get("BENCH_LIST_RSVPS", "100000"))
LIST_PATH = "/n/demo/events/"
LIST_VIEWER = "alumni1@demo.example"
BATCH_SIZE = 5000
WORKER_TIMEOUT_S = 1800
WORKER_CODE = "import sys; from bench.benchmarks.events import main; main(sys.argv[1:])"


@benchmark(RSVP_NAME)
def rsvp_concurrent_500(ctx: Context) -> list[Result]:
    results = []
    for kind, problem in ctx.kinds():
        if problem is not None:
            results.append(Result.skip(RSVP_NAME, kind, "s", problem))
            continue
        database = ctx.fresh_database(kind)
        ctx.manage(database, "migrate", "--noinput", timeout=MIGRATE_TIMEOUT_S)
        ctx.manage(database, "create_network", NETWORK, "ベンチ イベント", "--company", "ベンチ商事|Bench Trading",
                   "--admin-email", f"admin@{NETWORK}.example", timeout=120)  # fmt: skip
        _worker(ctx, database, "people")
        print(f"  {kind}: {RSVP_PEOPLE} RSVPs at once for {RSVP_CAPACITY} seats "
              f"({RACE_PROCESSES} processes x {RACE_THREADS} threads)", flush=True)  # fmt: skip
        load_average = round(os.getloadavg()[0], 2)  # other work on the machine skews the figure
        figures = _worker(ctx, database, "race")
        print(f"  {kind}: {figures['seconds']:.2f} s, confirmed {figures['confirmed']}, "
              f"waitlisted {figures['waitlisted']}, errors {figures['errors']}, p95 {figures['p95_ms']} ms",
              flush=True)  # fmt: skip
        if (
            figures["errors"]
            or figures["confirmed"] != RSVP_CAPACITY
            or (figures["waitlisted"] != RSVP_PEOPLE - RSVP_CAPACITY)
        ):
            raise BenchError(f"{RSVP_NAME} on {kind}: {figures}")
        params = {key: value for key, value in figures.items() if key != "seconds"}
        params.update(people=RSVP_PEOPLE, capacity=RSVP_CAPACITY, processes=RACE_PROCESSES, threads=RACE_THREADS,
                      load_average_1m=load_average)  # fmt: skip
        results.append(Result(RSVP_NAME, kind, round(figures["seconds"], 3), "s", params=params))
    return results


@benchmark(LIST_NAME)
def event_list_rps(ctx: Context) -> list[Result]:
    results = []
    for kind, problem in ctx.kinds():
        if problem is not None:
            results.append(Result.skip(LIST_NAME, kind, "req/s", problem))
            continue
        database = ctx.seeded_database(kind)
        shape = _worker(ctx, database, "load")
        server = ctx.server(database)
        cookie = ctx.session_cookie(database, LIST_VIEWER)
        floor = _floor(ctx, database, cookie)
        print(f"  {kind}: {LIST_PATH} as {LIST_VIEWER} ({shape['events']:,} events, {shape['rsvps']:,} RSVPs)",
              flush=True)  # fmt: skip
        load_average = round(os.getloadavg()[0], 2)
        page = _best_of_rounds(server.port, LIST_PATH, cookie)
        print(f"  {kind}: {page.rps:.0f} req/s (floor {floor.rps:.0f})", flush=True)
        params = {
            "path": LIST_PATH, "as": LIST_VIEWER, "seeded_alumni": database.alumni, **shape,
            "gunicorn_workers": WORKERS, "clients": load.CLIENTS, **page.summary(), "floor": floor.summary(),
            "ratio_to_floor": round(page.rps / floor.rps, 4), "load_average_1m": load_average,
        }  # fmt: skip
        results.append(Result(LIST_NAME, kind, round(page.rps, 1), "req/s", floor=round(floor.rps, 1), params=params))
    return results


def _worker(ctx: Context, database: Database, step: str) -> dict[str, Any]:
    command = [sys.executable, "-c", WORKER_CODE, step]
    done = subprocess.run(command, cwd=ctx.root, env=ctx.env(database), stdout=subprocess.PIPE, text=True,
                          timeout=WORKER_TIMEOUT_S, check=False)  # fmt: skip
    if done.returncode != 0:
        raise BenchError(f"events worker step {step!r} failed on {database.kind} (its error is printed above)")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


# --- The worker process --------------------------------------------------------------------------


def make_people() -> dict[str, Any]:
    """RSVP_PEOPLE active alumni and the published event of RSVP_CAPACITY seats, in NETWORK."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from enishi.accounts.models import User
    from enishi.events.models import Event
    from enishi.networks.models import Membership, Network
    from enishi.networks.roles import MembershipState, Role

    network = Network.objects.get(slug=NETWORK)
    password = make_password(None)
    users = User.objects.bulk_create(
        User(email=f"guest{index}@{NETWORK}.example", password=password, family_name="参加", given_name=f"{index}番")
        for index in range(RSVP_PEOPLE)
    )  # fmt: skip
    Membership.objects.bulk_create(
        Membership(network=network, user=user, role=Role.ALUMNUS, state=MembershipState.ACTIVE,
                   activated_at=timezone.now(), sort_name=user.email)
        for user in users
    )  # fmt: skip
    start = timezone.now() + timedelta(days=14)
    event = Event.objects.create(network=network, title="定員300名の大交流会", starts_at=start,
                                 ends_at=start + timedelta(hours=3), capacity=RSVP_CAPACITY,
                                 status=Event.Status.PUBLISHED)  # fmt: skip
    return {"event": event.pk, "people": len(users)}


def _race_process(members: list[list[int]], event_id: int, barrier: Any, out: Any) -> None:
    """One process: a thread per share of members, each on its own connection, released by `barrier`."""
    from django.db import connection
    from django_scopes import scope, scopes_disabled

    from enishi.events import services
    from enishi.events.models import Event
    from enishi.networks.models import Membership

    def run(share: list[int]) -> None:
        timings: list[float] = []
        errors: list[str] = []
        try:
            with scope(network=network):
                people = list(Membership.objects.filter(pk__in=share).select_related("network"))
                barrier.wait(timeout=120)
                for person in people:
                    started = time.perf_counter()
                    try:
                        services.rsvp(event, person)
                    except Exception as error:  # counted, and the benchmark fails on any
                        errors.append(repr(error)[:300])
                    timings.append(time.perf_counter() - started)
        finally:
            connection.close()
            out.put({"timings": timings, "errors": errors})

    from django.db import connections

    connections.close_all()  # a forked child never reuses its parent's connection
    with scopes_disabled():
        event = Event.objects.select_related("network").get(pk=event_id)
    network = event.network
    connections.close_all()
    threads = [threading.Thread(target=run, args=(share,)) for share in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def race() -> dict[str, Any]:
    """The RSVPs at once (see the module docstring); the figures of the run."""
    from django.db import connections
    from django_scopes import scopes_disabled

    from enishi.events.models import Event, Rsvp
    from enishi.networks.models import Membership

    with scopes_disabled():
        event = Event.objects.get(network__slug=NETWORK)
        ids = list(Membership.objects.filter(network_id=event.network_id, role="alumnus").order_by("pk")
                   .values_list("pk", flat=True)[:RSVP_PEOPLE])  # fmt: skip
    slots = RACE_PROCESSES * RACE_THREADS
    shares = [ids[index::slots] for index in range(slots)]
    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(slots + 1)  # every thread, and this process to start the clock
    out = context.Queue()
    processes = [
        context.Process(target=_race_process,
                        args=(shares[index * RACE_THREADS : (index + 1) * RACE_THREADS], event.pk, barrier, out))
        for index in range(RACE_PROCESSES)
    ]  # fmt: skip
    for process in processes:
        process.start()
    barrier.wait(timeout=300)
    started = time.perf_counter()
    reports = [out.get(timeout=WORKER_TIMEOUT_S) for _ in range(slots)]
    seconds = time.perf_counter() - started
    for process in processes:
        process.join()
    timings = sorted(value for report in reports for value in report["timings"])
    errors = [error for report in reports for error in report["errors"]]
    with scopes_disabled():
        statuses = list(Rsvp.objects.filter(event_id=event.pk).values_list("status", flat=True))

    def percentile(share: float) -> float:
        return round(timings[min(int(len(timings) * share), len(timings) - 1)] * 1000, 1) if timings else 0.0

    return {
        "seconds": seconds, "confirmed": statuses.count("confirmed"), "waitlisted": statuses.count("waitlisted"),
        "errors": len(errors), "first_errors": errors[:3], "answers": len(timings),
        "p50_ms": percentile(0.5), "p95_ms": percentile(0.95), "max_ms": percentile(1.0),
    }  # fmt: skip


def load_events() -> dict[str, Any]:
    """LIST_EVENTS published events of the demo network over two years (a third ahead), with
    LIST_RSVPS RSVPs of its alumni spread over them. Once per database: a second call finds them."""
    import random

    from django.db import connection, transaction
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from enishi.events.models import Event, Rsvp
    from enishi.networks.models import Membership, Network

    rng = random.Random(42)
    with scopes_disabled():
        network = Network.objects.get(slug="demo")
        bench_events = Event.objects.filter(network=network, title__startswith="ベンチ")
        if not bench_events.exists():
            members = list(Membership.objects.filter(network=network, role="alumnus").values_list("pk", flat=True))
            now = timezone.now()
            per_event = max(LIST_RSVPS // LIST_EVENTS, 1)
            for start in range(0, LIST_EVENTS, 500):
                with transaction.atomic():
                    stop = min(start + 500, LIST_EVENTS)
                    events = Event.objects.bulk_create(_bench_event(network.pk, index, now, rng)
                                                       for index in range(start, stop))  # fmt: skip
                    rows = [
                        Rsvp(network_id=network.pk, event_id=event.pk, membership_id=member_id,
                             status="confirmed" if rank < per_event * 9 // 10 else "waitlisted",
                             confirmed_at=now if rank < per_event * 9 // 10 else None)
                        for event in events
                        for rank, member_id in enumerate(rng.sample(members, min(per_event, len(members))))
                    ]  # fmt: skip
                    Rsvp.objects.bulk_create(rows, batch_size=BATCH_SIZE)
            if connection.vendor == "postgresql":  # as autovacuum would within a minute of such a load
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE events_event, events_rsvp")
        return {"events": Event.objects.filter(network=network).count(),
                "rsvps": Rsvp.objects.filter(network=network).count()}  # fmt: skip


TITLES = ("交流会", "勉強会", "説明会", "セミナー", "懇親会", "ランチ会", "オンライン座談会", "OB・OG会")


def _bench_event(network_id: int, index: int, now: Any, rng: Any) -> Any:
    from enishi.events.models import Event

    starts = now + timedelta(days=rng.uniform(-486, 243))  # two years, a third of it ahead
    form = ("offline", "online", "hybrid")[index % 3]
    return Event(
        network_id=network_id, title=f"ベンチ{TITLES[index % len(TITLES)]} 第{index}回", format=form,
        description="<p>ベンチマーク用のイベントです。</p>", venue_name="本社 大会議室" if form != "online" else "",
        venue_address="東京都千代田区丸の内二丁目7番3号" if form != "online" else "",
        online_url="https://meet.example.com/bench" if form != "offline" else "", starts_at=starts,
        ends_at=starts + timedelta(hours=2), capacity=60 if index % 2 else None, status="published",
        published_at=starts - timedelta(days=30), reminders=[24, 1],
    )  # fmt: skip


def main(argv: list[str]) -> None:
    """A worker step (`WORKER_CODE people|race|load`, DATABASE_URL set); JSON on stdout."""
    import django

    django.setup()
    from django_scopes import scopes_disabled

    step = argv[0] if argv else ""
    if step == "race":
        figures = race()
    else:
        with scopes_disabled():
            if step == "people":
                figures = make_people()
            elif step == "load":
                figures = load_events()
            else:
                raise SystemExit("usage: python -c WORKER_CODE people|race|load")
    print(json.dumps(figures, ensure_ascii=False))
