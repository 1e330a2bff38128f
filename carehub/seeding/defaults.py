"""The default catalogue and subsidy policy that ``carehub init`` loads once.

Rows are matched by code and only added when missing, so an administrator's later edits
survive every re-run.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from carehub.db import AnySession
from carehub.fieldwork import checklists
from carehub.registry.models import ServiceType, Skill
from carehub.subsidy.models import DEFAULT_ELIGIBLE, SubsidyPolicy

SKILLS = [
    ("meal", "助餐送餐", "Meal help"),
    ("cleaning", "居家保洁", "Cleaning"),
    ("bathing", "助浴培训", "Bathing-trained"),
    ("nursing", "护理资质", "Nursing qualification"),
    ("companion", "陪伴关怀", "Companionship"),
    ("first_aid", "急救培训", "First aid"),
]

# code, zh, en, minutes, price (fen), skill, caregivers, window, priority (1 = most urgent)
SERVICE_TYPES = [
    ("meal_delivery", "助餐送餐", "Meal delivery", 3, 800, "meal", 1, ("11:00", "12:30"), 3),
    ("cleaning", "居家保洁", "Home cleaning", 90, 6000, "cleaning", 1, None, 4),
    ("bathing", "助浴服务", "Bathing help", 60, 8000, "bathing", 1, ("09:00", "16:00"), 3),
    ("health_check", "健康监测", "Health check", 45, 5000, "nursing", 1, ("08:30", "17:00"), 2),
    ("companionship", "陪伴聊天", "Companionship", 60, 3000, "companion", 1, ("09:00", "17:00"), 4),
    ("emergency", "紧急援助", "Emergency call", 30, 6000, "first_aid", 1, None, 1),
]

# The subsidy's too_short threshold per service (percent of its duration): a meal is handed
# over at the door in about a minute of its three.
MIN_VISIT_PERCENT = {"meal_delivery": 30}

DEFAULT_POLICY_CODE = "care-level-default"


def _time(text: str) -> dt.time:
    hour, minute = text.split(":")
    return dt.time(int(hour), int(minute))


def load_defaults(session: AnySession) -> dict[str, int]:
    """Add whatever default skill, service type or policy is missing; return what was added."""
    added = {"skills": 0, "service_types": 0, "subsidy_policies": 0}
    skills = {s.code: s for s in session.scalars(select(Skill))}
    for code, zh, en in SKILLS:
        if code not in skills:
            skills[code] = Skill(code=code, name_zh=zh, name_en=en)
            session.add(skills[code])
            added["skills"] += 1
    existing = set(session.scalars(select(ServiceType.code)))
    for code, zh, en, minutes, price, skill, needed, window, priority in SERVICE_TYPES:
        if code in existing:
            continue
        session.add(
            ServiceType(
                code=code,
                name_zh=zh,
                name_en=en,
                duration_min=minutes,
                price_fen=price,
                skill=skills[skill] if skill else None,
                caregivers_needed=needed,
                window_start=_time(window[0]) if window else None,
                window_end=_time(window[1]) if window else None,
                priority=priority,
                active=True,
                min_visit_percent=MIN_VISIT_PERCENT.get(code),
            )
        )
        added["service_types"] += 1
    if session.scalar(select(SubsidyPolicy.id).limit(1)) is None:
        session.add(
            SubsidyPolicy(
                code=DEFAULT_POLICY_CODE,
                name="居家养老服务补贴（按照护等级）",
                kind="care_level_amount",
                effective_from=dt.date(2020, 1, 1),
                eligible_hardships=list(DEFAULT_ELIGIBLE),
                amount_mild_fen=20000,
                amount_moderate_fen=40000,
                amount_severe_fen=60000,
            )
        )
        added["subsidy_policies"] += 1
    session.flush()
    added["checklist_items"] = checklists.load_defaults(session)
    return added
