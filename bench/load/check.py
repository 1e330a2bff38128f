"""After a load-test run: every event the phones had acknowledged is stored exactly once,
nothing a phone did not send is stored, no visit has two check-ins or check-outs, and
every visit with its check-in and check-out is complete.

    CAREHUB_DATABASE_URL=... python bench/load/check.py --sent bench-results/load/sent.jsonl

Exits 1 naming what is wrong.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from carehub.app import create_app
from carehub.auth.models import User
from carehub.core.enums import VisitStatus
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.extensions import db
from carehub.fieldwork.models import VisitEvent

MARK = "load-test"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sent", type=Path, required=True)
    args = parser.parse_args()
    sent = [json.loads(line) for line in args.sent.read_text().splitlines() if line.strip()]
    app = create_app()
    problems: list[str] = []
    with app.app_context():
        load_visits = (
            select(Visit.id)
            .join(ServiceRequest, ServiceRequest.id == Visit.request_id)
            .where(ServiceRequest.note == MARK)
        )
        stored = db.session.execute(
            select(User.username, VisitEvent.idempotency_key, VisitEvent.visit_id, VisitEvent.type)
            .join(User, User.id == VisitEvent.user_id)
            .where(VisitEvent.visit_id.in_(load_visits))
        ).all()
        by_key = Counter((user, key) for user, key, _v, _t in stored)
        per_visit = Counter((visit, kind) for _u, _k, visit, kind in stored)
        statuses = dict(
            db.session.execute(
                select(Visit.status, func.count())
                .where(Visit.id.in_(load_visits))
                .group_by(Visit.status)
            ).all()
        )
        acknowledged = {(row["user"], row["key"]) for row in sent if row.get("acknowledged")}
        attempted = {(row["user"], row["key"]) for row in sent}
        missing = [k for k in acknowledged if by_key[k] == 0]
        doubled = [k for k, n in by_key.items() if n > 1]
        unasked = [k for k in by_key if k not in attempted]
        in_flight = [k for k in by_key if k in attempted and k not in acknowledged]
        twice = [k for k, n in per_visit.items() if n > 1]
        if missing:
            problems.append(f"{len(missing)} acknowledged events not stored, e.g. {missing[:3]}")
        if doubled:
            problems.append(f"{len(doubled)} keys stored more than once, e.g. {doubled[:3]}")
        if unasked:
            problems.append(f"{len(unasked)} stored events no phone had sent")
        if twice:
            problems.append(f"{len(twice)} visits with two events of one type, e.g. {twice[:3]}")
        complete = {
            v for (v, kind) in per_visit if kind == "check_out" and (v, "check_in") in per_visit
        }
        done = statuses.get(VisitStatus.COMPLETED.value, 0)
        if done != len(complete):
            problems.append(f"{len(complete)} visits checked in and out but {done} completed")
    posts = sum(row.get("posts", 1) for row in sent)
    print(
        f"posts {posts} (of them resent with the same key {posts - len(sent)}); "
        f"events acknowledged {len(acknowledged)}, stored {len(stored)} (of them "
        f"{len(in_flight)} still in flight when the run stopped: stored, answer not heard); "
        f"visits by status {dict(sorted(statuses.items()))}"
    )
    if problems:
        print("NOT exactly once:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print("every acknowledged event stored exactly once")


if __name__ == "__main__":
    main()
