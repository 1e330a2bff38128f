"""Time the planning result page on the database CAREHUB_DATABASE_URL points at, against the
day's request list as a reference page, and the figures it no longer computes per view.

    carehub init && carehub seed demo
    carehub requests generate --from 2026-11-23 --to 2026-11-23
    carehub plan --date 2026-11-23 --time-limit 15
    .venv/bin/python bench/planning_page.py --runs 15

Uses the latest finished run; logs in as a throwaway administrator through the login form.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import time

from sqlalchemy import select

from carehub.app import create_app
from carehub.auth.models import User
from carehub.core.enums import Role
from carehub.dispatch.planning.kpis import compute
from carehub.dispatch.planning.models import FINISHED, PlanningRun
from carehub.extensions import db


def _median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    app = create_app({"WTF_CSRF_ENABLED": False})
    password = secrets.token_hex(8)
    with app.app_context():
        run = db.session.scalars(
            select(PlanningRun)
            .where(PlanningRun.status.in_(FINISHED))
            .order_by(PlanningRun.id.desc())
        ).first()
        if run is None:
            raise SystemExit("no finished planning run; run `carehub plan` first")
        user = User(username=f"bench-{password}", role=Role.ADMIN, active=True)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        run_id, day, username = run.id, run.service_date, user.username
        kpis = run.kpis or {}
        print(
            f"run {run_id} {day}: {len(run.stations)} stations, {kpis.get('visit_rows')} visits,"
            f" {kpis.get('unassigned')} unassigned"
        )
    client = app.test_client()
    client.post("/login", data={"username": username, "password": password})
    pages = {
        "result page": f"/dispatch/planning/runs/{run_id}",
        "request list (reference)": f"/dispatch/requests/?day={day.isoformat()}",
    }
    times: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(args.runs):
        for name, url in pages.items():
            started = time.perf_counter()
            response = client.get(url)
            times[name].append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
    figures: list[float] = []
    with app.app_context():
        for _ in range(args.runs):
            db.session.remove()
            started = time.perf_counter()
            compute(db.session, db.session.get(PlanningRun, run_id))  # type: ignore[arg-type]
            figures.append(time.perf_counter() - started)
        db.session.delete(db.session.scalars(select(User).where(User.username == username)).one())
        db.session.commit()
    for name, values in times.items():
        print(f"{name}: median {_median_ms(values)}")
    ratio = statistics.median(times["result page"]) / statistics.median(
        times["request list (reference)"]
    )
    print(f"result page / request list: {ratio:.2f}")
    print(f"figures computed afresh (saved per view): median {_median_ms(figures)}")


if __name__ == "__main__":
    main()
