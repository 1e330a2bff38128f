"""Time the dispatcher's console at city scale: the live board, the planning result and the
elder search.

    carehub init && carehub seed city --elders 30000
    .venv/bin/python bench/console.py --day 2026-11-23 --runs 30

On the database CAREHUB_DATABASE_URL points at (a city set), makes the day's requests from
the care plans and a realistic day of visits for them (once; a second run reuses them):
every request but a few gets a visit of a caregiver of its station, and at the benchmark's
clock (14:30 local) the earlier ones are mostly completed or checked in, some late or
missed, the later ones published. Then times requests through Flask's test client (server
time, no network) and prints the median and p95 of each case, and their ratio to the
health check timed in the same process. Add a case to ``CASES`` to time another page.

The planning result pages are those of two finished runs recorded over that day's visits,
one for the busiest station and one for every station, with their figures computed as a
real run's are when it finishes (the solve itself is timed by `carehub bench day`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, insert, select

from carehub.app import create_app
from carehub.auth.models import User
from carehub.core import audit
from carehub.core import time as clock
from carehub.core.enums import RequestStatus, Role, VisitStatus
from carehub.core.time import local_to_utc
from carehub.dispatch.generation import generate_requests
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.dispatch.planning import kpis as planning_kpis
from carehub.dispatch.planning.models import RUN_DONE, PlanningRun
from carehub.extensions import db
from carehub.registry.models import Caregiver, Elder, ServiceType, Station

CLOCK_AT = dt.time(14, 30)
PASSWORD = "bench-password-1"
UNASSIGNED_SHARE = 0.01
LATE_SHARE = 0.06  # of visits due by now, not checked in
SEARCHES = ["张", "zh", "wxy", "1380", "TJE0123", "李秀"]

# (name, url) cases; ``{station}`` becomes the busiest station's id, ``{caregiver}`` the
# caregiver of that station with the most visits still to come, ``{day}`` the day.
CASES: list[tuple[str, str]] = [
    ("health check (reference)", "/healthz"),
    ("board, all stations", "/dispatch/board?day={day}"),
    ("board, one station", "/dispatch/board?day={day}&station_id={station}"),
    ("board JSON refresh, all stations", "/dispatch/board.json?day={day}"),
    ("board JSON refresh, one station", "/dispatch/board.json?day={day}&station_id={station}"),
    *[(f"elder search {q!r}", f"/dispatch/requests/elders.json?q={q}") for q in SEARCHES],
    ("planning result, one station", "/dispatch/planning/runs/{run_one}"),
    ("planning result, all stations", "/dispatch/planning/runs/{run_all}"),
    ("planning run status JSON", "/dispatch/planning/runs/{run_all}/status.json"),
    ("sick hand-over preview", "/dispatch/sick?day={day}&caregiver_id={caregiver}"),
]


def prepare_day(day: dt.date, seed: int) -> dict[str, int]:
    """The day's requests and visits, made once."""
    session = db.session
    if not session.scalar(select(func.count()).where(ServiceRequest.service_date == day)):
        generate_requests(session, day, day)
        session.commit()
    requests = session.execute(
        select(
            ServiceRequest.id,
            Elder.station_id,
            ServiceRequest.window_start,
            ServiceRequest.window_end,
            ServiceType.duration_min,
        )
        .join(Elder, Elder.id == ServiceRequest.elder_id)
        .join(ServiceType, ServiceType.id == ServiceRequest.service_type_id)
        .where(ServiceRequest.service_date == day)
        .order_by(ServiceRequest.id)
    ).all()
    have = session.scalar(
        select(func.count())
        .select_from(Visit)
        .join(ServiceRequest, ServiceRequest.id == Visit.request_id)
        .where(ServiceRequest.service_date == day)
    )
    if not have:
        _make_visits(day, requests, seed)
    counts = session.execute(
        select(Visit.status, func.count())
        .join(ServiceRequest, ServiceRequest.id == Visit.request_id)
        .where(ServiceRequest.service_date == day)
        .group_by(Visit.status)
    ).all()
    return {"requests": len(requests), **{str(s): n for s, n in counts}}


def _make_visits(day: dt.date, requests: list[Any], seed: int) -> None:
    rng = random.Random(seed)
    session = db.session
    team: dict[int, list[int]] = defaultdict(list)
    for cid, sid in session.execute(select(Caregiver.id, Caregiver.station_id)):
        team[sid].append(cid)
    clock = local_to_utc(day, CLOCK_AT)
    rows, scheduled, turn = [], [], defaultdict(int)
    for rid, sid, w_start, w_end, minutes in requests:
        if rng.random() < UNASSIGNED_SHARE or not team[sid]:
            continue
        cgs = team[sid]
        cid = cgs[turn[sid] % len(cgs)]
        turn[sid] += 1
        opens, closes = local_to_utc(day, w_start), local_to_utc(day, w_end)
        span = max(0, int((closes - opens).total_seconds() // 60) - minutes)
        start = opens + dt.timedelta(minutes=rng.randint(0, span))
        end = start + dt.timedelta(minutes=minutes)
        row: dict[str, Any] = dict(
            request_id=rid,
            caregiver_id=cid,
            planned_start=start,
            planned_end=end,
            route_seq=turn[sid],
            status=VisitStatus.PUBLISHED,
            pinned=False,
            lent=False,
            version=1,
        )
        if start < clock and rng.random() >= LATE_SHARE:
            arrived = start + dt.timedelta(minutes=rng.randint(-5, 10))
            row.update(check_in_at=arrived, status=VisitStatus.CHECKED_IN)
            if arrived + dt.timedelta(minutes=minutes) < clock:
                row.update(
                    status=VisitStatus.COMPLETED,
                    check_out_at=arrived + dt.timedelta(minutes=minutes),
                )
        rows.append(row)
        scheduled.append(rid)
    with audit.suppressed():
        for i in range(0, len(rows), 2000):
            session.execute(insert(Visit), rows[i : i + 2000])
        for i in range(0, len(scheduled), 2000):
            session.query(ServiceRequest).filter(
                ServiceRequest.id.in_(scheduled[i : i + 2000])
            ).update({"status": RequestStatus.SCHEDULED}, synchronize_session=False)
    session.commit()


def _user(role: Role, station_id: int | None) -> str:
    name = f"bench-{role.value}"
    user = db.session.scalar(select(User).where(User.username == name))
    if user is None:
        user = User(username=name, role=role, active=True, station_id=station_id)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    return name


def _busiest_station(day: dt.date) -> int:
    return int(
        db.session.execute(
            select(Elder.station_id, func.count())
            .join(ServiceRequest, ServiceRequest.elder_id == Elder.id)
            .where(ServiceRequest.service_date == day)
            .group_by(Elder.station_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()[0]
    )


def _busiest_caregiver(day: dt.date, station: int) -> int:
    return int(
        db.session.execute(
            select(Visit.caregiver_id, func.count())
            .join(ServiceRequest, ServiceRequest.id == Visit.request_id)
            .join(Caregiver, Caregiver.id == Visit.caregiver_id)
            .where(
                ServiceRequest.service_date == day,
                Caregiver.station_id == station,
                Visit.status == VisitStatus.PUBLISHED,
            )
            .group_by(Visit.caregiver_id)
            .order_by(func.count().desc(), Visit.caregiver_id)
            .limit(1)
        ).one()[0]
    )


def _planning_run(day: dt.date, codes: list[str]) -> int:
    """A finished run over the day's visits for these stations, made once."""
    session = db.session
    for run in session.scalars(
        select(PlanningRun).where(PlanningRun.service_date == day, PlanningRun.status == RUN_DONE)
    ):
        if run.stations == codes:
            return run.id
    now = clock.now()
    run = PlanningRun(
        service_date=day, stations=codes, started_at=now, finished_at=now, status=RUN_DONE
    )
    session.add(run)
    session.flush()
    run.kpis = planning_kpis.compute(session, run)
    session.commit()
    return run.id


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def time_cases(
    client: Any, cases: list[tuple[str, str]], runs: int, fill: Callable[[str], str]
) -> list[tuple[str, float, float]]:
    results = []
    for name, pattern in cases:
        url = fill(pattern)
        response = client.get(url)  # warm-up, and a check that it works
        if response.status_code != 200:
            raise SystemExit(f"{name}: {url} answered {response.status_code}")
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        results.append((name, statistics.median(times), percentile(times, 0.95)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--day", default="2026-11-23", help="a weekday of the city's care plans")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    day = dt.date.fromisoformat(args.day)
    instant = local_to_utc(day, CLOCK_AT)
    app = create_app({"CLOCK": lambda: instant, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        print(f"database: {db.engine.url.render_as_string(hide_password=True)}")
        elders = db.session.scalar(select(func.count(Elder.id)))
        stations = db.session.scalar(select(func.count(Station.id)))
        made = prepare_day(day, args.seed)
        print(f"elders {elders}, stations {stations}, day {day} at {CLOCK_AT:%H:%M}: {made}")
        station = _busiest_station(day)
        caregiver = _busiest_caregiver(day, station)
        admin = _user(Role.ADMIN, None)
        busiest = db.session.get(Station, station)
        assert busiest is not None
        every = list(db.session.scalars(select(Station.code).order_by(Station.code)))
        run_one = _planning_run(day, [busiest.code])
        run_all = _planning_run(day, every)
        db.session.remove()
    client = app.test_client()
    response = client.post("/login", data={"username": admin, "password": PASSWORD})
    assert response.status_code == 302, "login failed"
    values = {
        "day": day.isoformat(),
        "station": station,
        "caregiver": caregiver,
        "run_one": run_one,
        "run_all": run_all,
    }
    fill = lambda pattern: pattern.format(**values)  # noqa: E731
    results = time_cases(client, CASES, args.runs, fill)
    reference = results[0][1]
    print(f"{args.runs} runs each, server time through the test client")
    print(f"{'case':42} {'median ms':>10} {'p95 ms':>8} {'x ref':>7}")
    for name, median, p95 in results:
        print(f"{name:42} {median:10.1f} {p95:8.1f} {median / reference:7.1f}")


if __name__ == "__main__":
    main()
