"""Property: no sequence of planning, moves, sick hand-overs and emergency insertions leaves
two overlapping published visits on one caregiver.

Each seed draws its own sequence. An operation may be refused (a conflict, a rule, the
database's guard); it must never fail otherwise, and after every step the published visits
are checked by a query of their own, not by trusting the guard.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from carehub.core.enums import VisitStatus
from carehub.core.errors import DomainError, is_overlap
from carehub.core.time import local_to_utc
from carehub.dispatch.board import sick
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.dispatch.moves import services as moves
from carehub.dispatch.planning.services import plan_day
from carehub.emergency import services as emergencies
from carehub.geo.matrix import ModelMatrices
from carehub.geo.travel import TravelModel
from carehub.mobile import emergencies as phone_emergencies
from carehub.registry.models import Caregiver, Elder
from tests.builders import CENTRE

DAY = dt.date(2026, 11, 23)  # a Monday
MATRICES = ModelMatrices(TravelModel())
OPS = ("move", "sick", "emergency")


def _overlaps(db: Any) -> list[tuple[int, int]]:
    rows = db.session.execute(
        select(Visit.id, Visit.caregiver_id, Visit.planned_start, Visit.planned_end)
        .join(ServiceRequest, Visit.request_id == ServiceRequest.id)
        .where(Visit.status == VisitStatus.PUBLISHED, ServiceRequest.service_date == DAY)
    ).all()
    by_cg: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        if row.caregiver_id is not None and row.planned_start is not None:
            by_cg[row.caregiver_id].append(row)
    clashes = []
    for visits in by_cg.values():
        visits.sort(key=lambda r: r.planned_start)
        for a, b in zip(visits, visits[1:], strict=False):
            if b.planned_start < a.planned_end:
                clashes.append((a.id, b.id))
    return clashes


def _district(make: Any, db: Any, rng: random.Random) -> None:
    stations = [
        make.station(code=f"PS{i}", lat=CENTRE[0] + 0.01 * i, lon=CENTRE[1]) for i in range(2)
    ]
    meal = make.service_type("meal_p", skill=make.skill("meal"), duration_min=30)
    aid = make.skill("first_aid")
    make.service_type("emergency", skill=aid, duration_min=30, priority=1)
    for i in range(6):
        make.caregiver(station=stations[i % 2], skills=("meal", "first_aid"), code=f"PC{i}")
    for i in range(16):
        hour = rng.randint(8, 15)
        elder = make.elder(
            station=stations[i % 2],
            lat=CENTRE[0] + rng.uniform(-0.01, 0.02),
            lon=CENTRE[1] + rng.uniform(-0.01, 0.01),
        )
        make.request(
            elder=elder,
            service_type=meal,
            service_date=DAY,
            window_start=dt.time(hour),
            window_end=dt.time(hour + 2),
        )
    db.session.commit()


def _move(db: Any, rng: random.Random) -> None:
    published = db.session.scalars(
        select(Visit).where(Visit.status == VisitStatus.PUBLISHED).order_by(Visit.id)
    ).all()
    caregivers = db.session.scalars(select(Caregiver).order_by(Caregiver.id)).all()
    if not published:
        return
    visit, target = rng.choice(published), rng.choice(caregivers)
    start = dt.time(rng.randint(8, 16), rng.choice((0, 15, 30, 45)))
    moves.apply_move(
        db.session,
        visit.id,
        target.id,
        start,
        visit.version,
        confirmed=True,
        override_reason="checked with the family by phone",
        matrices=MATRICES,
    )


def _sick(db: Any, rng: random.Random, now: dt.datetime) -> None:
    caregiver = rng.choice(db.session.scalars(select(Caregiver).order_by(Caregiver.id)).all())
    plan = sick.preview(db.session, caregiver, DAY, now, MATRICES)
    sick.apply(db.session, caregiver, DAY, now, plan.token, MATRICES)


def _emergency(db: Any, rng: random.Random, now: dt.datetime) -> None:
    elder = rng.choice(db.session.scalars(select(Elder).order_by(Elder.id)).all())
    request = emergencies.raise_emergency(db.session, elder, "跌倒", now)
    caregiver = rng.choice(db.session.scalars(select(Caregiver).order_by(Caregiver.id)).all())
    offer = emergencies.assign(db.session, request, caregiver.code, now)
    phone_emergencies.accept(db.session, offer)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_sequence_of_changes_double_books_a_caregiver(
    app: Any, make: Any, db: Any, seed: int
) -> None:
    rng = random.Random(seed)
    clock = {"now": local_to_utc(DAY, dt.time(7, 30))}
    app.config["CLOCK"] = lambda: clock["now"]
    _district(make, db, rng)
    plan_day(db.session, DAY, time_limit_s=1, publish=True, matrices=MATRICES, workers=1)
    db.session.commit()
    assert _overlaps(db) == []
    done = defaultdict(int)
    for step in range(10):
        clock["now"] = local_to_utc(DAY, dt.time(7, 30)) + dt.timedelta(minutes=20 * step)
        op = rng.choice(OPS)
        try:
            if op == "move":
                _move(db, rng)
            elif op == "sick":
                _sick(db, rng, clock["now"])
            else:
                _emergency(db, rng, clock["now"])
            db.session.commit()
            done[op] += 1
        except (DomainError, moves.NeedsConfirmation, moves.MoveConflict):
            db.session.rollback()
        except IntegrityError as exc:
            assert is_overlap(exc), exc  # the guard refused it; nothing else may fail
            db.session.rollback()
        assert _overlaps(db) == [], (seed, step, op)
    assert sum(done.values()) >= 3, done  # the sequence really changed the day
