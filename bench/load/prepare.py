"""Today's routes for the city-morning load test, on a database holding `carehub seed city`.

    CAREHUB_DATABASE_URL=... python bench/load/prepare.py --caregivers 1000 --visits 4 \\
        --dispatchers 50 --out bench-results/load/users.json

Gives each of the first CAREGIVERS city caregivers a login and a phone token, and a
published route of VISITS visits today (Asia/Shanghai) to elders of their own station,
45 minutes apart from 08:00; and DISPATCHERS dispatcher logins, most of them scoped to a
station, every fifth one to the whole city. What a run of the load test left (its routes
and their events) is removed first, so each run starts from the same morning. The
logins and tokens go to OUT for the locustfile.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import secrets
from collections import defaultdict
from pathlib import Path

from sqlalchemy import delete, insert, select

from carehub.app import create_app
from carehub.auth.models import ApiToken, User
from carehub.core.enums import RequestOrigin, RequestStatus, Role, VisitStatus
from carehub.core.time import local_to_utc, local_today, now
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.extensions import db
from carehub.registry.models import Caregiver, Elder, ServiceType

MARK = "load-test"  # the note on the load test's requests
PREFIX = "load"  # of the load test's usernames


def _reset(day: dt.date) -> None:
    requests = select(ServiceRequest.id).where(ServiceRequest.note == MARK)
    # Events, receipts and alerts go with their visits (ON DELETE CASCADE).
    db.session.execute(delete(Visit).where(Visit.request_id.in_(requests)))
    db.session.execute(delete(ServiceRequest).where(ServiceRequest.note == MARK))
    db.session.commit()


def _users(caregivers: list[Caregiver], dispatchers: int, password: str) -> dict[str, object]:
    stations = sorted({c.station_id for c in caregivers})
    template = User(username="-", role=Role.DISPATCHER)
    template.set_password(password)  # one hash for all: hashing is slow by design
    found: dict[str, object] = {"password": password, "caregivers": [], "dispatchers": []}
    existing = {
        u.username: u
        for u in db.session.scalars(select(User).where(User.username.like(f"{PREFIX}%")))
    }
    for n in range(dispatchers):
        name = f"{PREFIX}-dispatcher-{n:03d}"
        station = None if n % 5 == 0 else stations[n % len(stations)]
        user = existing.get(name) or User(username=name, role=Role.DISPATCHER)
        user.password_hash, user.station_id, user.active = template.password_hash, station, True
        db.session.add(user)
        found["dispatchers"].append({"username": name, "station_id": station})  # type: ignore[attr-defined]
    issued = now()
    for caregiver in caregivers:
        name = f"{PREFIX}-{caregiver.code.lower()}"
        user = existing.get(name) or User(
            username=name, role=Role.CAREGIVER, caregiver_id=caregiver.id, password_hash="!"
        )
        db.session.add(user)
        db.session.flush()
        token = ApiToken.new_token()
        db.session.add(
            ApiToken(
                user_id=user.id,
                token_hash=ApiToken.hash_token(token),
                created_at=issued,
                expires_at=issued + dt.timedelta(days=2),
            )
        )
        found["caregivers"].append({"username": name, "token": token})  # type: ignore[attr-defined]
    db.session.commit()
    return found


def _routes(caregivers: list[Caregiver], per: int, day: dt.date) -> int:
    service = db.session.scalars(
        select(ServiceType).where(ServiceType.code == "companionship")
    ).first()
    assert service is not None, "no companionship service type"
    elders: dict[int | None, list[int]] = defaultdict(list)
    for eid, station in db.session.execute(select(Elder.id, Elder.station_id).order_by(Elder.id)):
        elders[station].append(eid)
    taken: dict[int | None, int] = defaultdict(int)
    requests, plans = [], []
    for caregiver in caregivers:
        pool = elders[caregiver.station_id] or elders[None]
        for k in range(per):
            minutes = 8 * 60 + 45 * k
            start = dt.time(minutes // 60, minutes % 60)
            end_min = minutes + 30
            requests.append(
                {
                    "elder_id": pool[taken[caregiver.station_id] % len(pool)],
                    "service_type_id": service.id,
                    "service_date": day,
                    "window_start": start,
                    "window_end": dt.time(end_min // 60, end_min % 60),
                    "origin": RequestOrigin.PHONE.value,
                    "status": RequestStatus.SCHEDULED.value,
                    "note": MARK,
                    "created_at": now(),
                }
            )
            taken[caregiver.station_id] += 1
            plans.append((caregiver.id, k, local_to_utc(day, start)))
    ids = db.session.scalars(
        insert(ServiceRequest).returning(ServiceRequest.id, sort_by_parameter_order=True),
        requests,
    ).all()
    published = now()
    db.session.execute(
        insert(Visit),
        [
            {
                "request_id": rid,
                "caregiver_id": cid,
                "planned_start": at,
                "planned_end": at + dt.timedelta(minutes=30),
                "route_seq": k + 1,
                "status": VisitStatus.PUBLISHED.value,
                "pinned": False,
                "lent": False,
                "published_at": published,
                "version": 1,
            }
            for rid, (cid, k, at) in zip(ids, plans, strict=True)
        ],
    )
    db.session.commit()
    return len(ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--caregivers", type=int, default=1000)
    parser.add_argument("--visits", type=int, default=4)
    parser.add_argument("--dispatchers", type=int, default=50)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        day = local_today()
        _reset(day)
        caregivers = list(
            db.session.scalars(select(Caregiver).order_by(Caregiver.id).limit(args.caregivers))
        )
        assert len(caregivers) == args.caregivers, f"only {len(caregivers)} caregivers"
        users = _users(caregivers, args.dispatchers, secrets.token_urlsafe(12))
        visits = _routes(caregivers, args.visits, day)
        users["day"] = day.isoformat()
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(users))
        print(
            f"{day}: {len(caregivers)} caregivers with {visits} published visits, "
            f"{args.dispatchers} dispatchers; logins in {args.out}"
        )


if __name__ == "__main__":
    main()
