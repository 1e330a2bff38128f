"""Care plans in the demo district that nobody can serve, on purpose.

A demo whose every request is planned hides what the planner says when one cannot be. So two
elders get a weekday plan that stays open with its reason on every weekday: one asks for
rehabilitation exercise, a service the catalogue lists but no caregiver of the district is
qualified for yet; one's family asks for a health check at 07:00, before any shift starts.
They are left out of the staffing arithmetic, and docs/demo-data.md lists them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from carehub.core.enums import ElderStatus
from carehub.db import AnySession
from carehub.registry.models import CarePlan, Elder, ServiceType, Skill, Station
from carehub.routing.problem import REASON_NO_CAREGIVER, REASON_WINDOW
from carehub.seeding.drafts.plans import WEEKDAYS_1_5

REHAB_SKILL = ("rehab", "康复治疗资质", "Rehabilitation therapist")
REHAB_SERVICE = "rehab"


@dataclass(frozen=True)
class Planted:
    station: str  # the plan goes to this station's first active elder
    service: str
    window: tuple[dt.time, dt.time]
    note: str
    reason: str  # the reason the planner gives


PLANTED = (
    Planted(
        "HP02",
        REHAB_SERVICE,
        (dt.time(9, 0), dt.time(11, 0)),
        "术后康复训练（本区暂无康复治疗师）",
        REASON_NO_CAREGIVER,
    ),
    Planted(
        "HP05",
        "health_check",
        (dt.time(7, 0), dt.time(7, 45)),
        "家属要求七点测血压（早于所有班次）",
        REASON_WINDOW,
    ),
)


def ensure_rehab(session: AnySession) -> ServiceType:
    """The rehabilitation service and its qualification, which nobody in the demo holds."""
    service = session.scalar(select(ServiceType).where(ServiceType.code == REHAB_SERVICE))
    if service is not None:
        return service
    code, zh, en = REHAB_SKILL
    skill = session.scalar(select(Skill).where(Skill.code == code))
    if skill is None:
        skill = Skill(code=code, name_zh=zh, name_en=en)
        session.add(skill)
    service = ServiceType(
        code=REHAB_SERVICE,
        name_zh="康复训练",
        name_en="Rehabilitation exercise",
        duration_min=45,
        price_fen=6000,
        skill=skill,
        caregivers_needed=1,
        window_start=dt.time(9, 0),
        window_end=dt.time(17, 0),
        priority=3,
        active=True,
    )
    session.add(service)
    session.flush()
    return service


def plant(session: AnySession, anchor: dt.date) -> int:
    """Add the planted plans (the demo's elders must exist); how many were added."""
    ensure_rehab(session)
    services = {st.code: st for st in session.scalars(select(ServiceType))}
    for item in PLANTED:
        elder = session.scalar(
            select(Elder)
            .join(Station, Elder.station_id == Station.id)
            .where(Station.code == item.station, Elder.status == ElderStatus.ACTIVE)
            .order_by(Elder.code)
            .limit(1)
        )
        if elder is None:
            raise LookupError(f"planted plan: no active elder at {item.station}")
        session.add(
            CarePlan(
                elder=elder,
                service_type_id=services[item.service].id,
                weekdays_mask=WEEKDAYS_1_5,
                window_start=item.window[0],
                window_end=item.window[1],
                start_date=anchor - dt.timedelta(days=30),
                end_date=None,
                note=item.note,
                active=True,
            )
        )
    session.flush()
    return len(PLANTED)
