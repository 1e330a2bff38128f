"""Time the auditor's month pages through the app, as a browser would ask for them.

    carehub users add benchauditor --role auditor --password-stdin   # once, on the city file
    .venv/bin/python bench/month_page.py --month 2026-10 --username benchauditor --password ...

Each request is timed on its own. First every page is asked for with the month worked
out inside the request, as before the figures were stored; then the task's working out
(``month_figures.work_out``) is timed once, and every page asked for again: with the
process's memo thrown away before each request (a web process reading the stored figures
for the first time), then with it kept (what an auditor waits for while working through
an unchanged month).
"""

from __future__ import annotations

import argparse
import statistics
import time

from sqlalchemy import select

from carehub.app import create_app
from carehub.extensions import db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--month", required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--uncached-runs", type=int, default=1)
    args = parser.parse_args()
    # Working out in the request is the "before" figure: allowed here for any size.
    app = create_app({"WTF_CSRF_ENABLED": False, "SUBSIDY_INLINE_VISITS": 10**9})
    client = app.test_client()
    login = client.post("/login", data={"username": args.username, "password": args.password})
    assert login.status_code == 302, login.get_data(as_text=True)[:500]
    with app.app_context():
        from carehub.dispatch.models import ServiceRequest, Visit
        from carehub.subsidy.months import Month

        month = Month.parse(args.month)
        visit_id = db.session.scalar(
            select(Visit.id)
            .join(ServiceRequest, ServiceRequest.id == Visit.request_id)
            .where(ServiceRequest.service_date == month.first)
            .limit(1)
        )
    pages = [
        ("month", f"/subsidy/{args.month}"),
        ("month page 2", f"/subsidy/{args.month}?page=2"),
        ("flagged", f"/subsidy/{args.month}/flagged"),
        ("visit", f"/subsidy/visits/{visit_id}"),
    ]
    modes = (
        ("worked out in every request:", True, args.uncached_runs),
        ("stored, read by a new process on every request:", False, args.repeat),
        ("stored and kept by the process:", None, args.repeat),
    )
    for title, inline, runs in modes:
        if inline is False:
            with app.app_context():
                from carehub.subsidy.reconciliation import month_figures

                started = time.perf_counter()
                done = month_figures.work_out(db.session, month)
                print(f"the task's work_out: {done} in {time.perf_counter() - started:.2f} s")
            app.config["SUBSIDY_INLINE_VISITS"] = 0
        print(title)
        for label, url in pages:
            times = []
            for _run in range(runs):
                if inline is not None:
                    app.extensions.pop("subsidy_month_cache", None)
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
                assert response.status_code == 200, (url, response.status_code)
            shown = ", ".join(f"{t:.2f}" for t in times)
            median = statistics.median(times)
            print(f"  {label:<14} {url:<34} runs {shown} s; median {median:.2f} s")


if __name__ == "__main__":
    main()
