"""Builders: one per entity, sensible defaults, any field overridable (``make_elder(care_level=...)``).

Codes come from a counter so every built row is unique within a test.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carehub.auth.models import User
from carehub.core.enums import (
    CareLevel,
    Gender,
    Hardship,
    RequestOrigin,
    Role,
    TravelMode,
    VisitStatus,
)
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.registry.models import Caregiver, CarePlan, Elder, ServiceType, Skill, Station

_seq = itertools.count(1)

# Heping district, Tianjin: the demo district's centre.
CENTRE = (39.1175, 117.1950)
PASSWORD = "correct-horse-42"


def _n() -> int:
    return next(_seq)


class Builders:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _save(self, obj: Any) -> Any:
        self.session.add(obj)
        self.session.flush()
        return obj

    def skill(self, code: str) -> Skill:
        found = self.session.scalar(select(Skill).where(Skill.code == code))
        if found is None:
            found = self._save(Skill(code=code, name_zh=code, name_en=code))
        return found

    def service_type(self, code: str = "meal_delivery", **kw: Any) -> ServiceType:
        found = self.session.scalar(select(ServiceType).where(ServiceType.code == code))
        if found is not None and not kw:
            return found
        n = _n()
        fields: dict[str, Any] = dict(
            code=f"svc{n}" if found else code,
            name_zh=f"服务{n}",
            name_en=f"Service {n}",
            duration_min=30,
            price_fen=3000,
            caregivers_needed=1,
            priority=3,
            active=True,
        )
        fields.update(kw)
        return self._save(ServiceType(**fields))

    def station(self, **kw: Any) -> Station:
        n = _n()
        fields: dict[str, Any] = dict(
            code=f"ST{n:03d}",
            name=f"测试站{n}",
            address=f"测试路{n}号",
            lat=CENTRE[0],
            lon=CENTRE[1],
            circle_minutes=15,
            active=True,
        )
        fields.update(kw)
        return self._save(Station(**fields))

    def elder(self, **kw: Any) -> Elder:
        n = _n()
        station = kw.pop("station", None) or self.station()
        fields: dict[str, Any] = dict(
            code=f"E{n:05d}",
            name=f"老人{n}",
            gender=Gender.FEMALE,
            phone=f"1380000{n:04d}",
            address=f"和平路{n}号",
            lat=CENTRE[0] + 0.002,
            lon=CENTRE[1] + 0.002,
            station=station,
            care_level=CareLevel.MODERATE,
            hardship=Hardship.DIBAO,
            care_level_assessed_on=dt.date(2026, 1, 10),
        )
        fields.update(kw)
        return self._save(Elder(**fields))

    def caregiver(self, skills: tuple[str, ...] = ("meal",), **kw: Any) -> Caregiver:
        n = _n()
        station = kw.pop("station", None) or self.station()
        fields: dict[str, Any] = dict(
            code=f"C{n:04d}",
            name=f"护理员{n}",
            gender=Gender.FEMALE,
            phone=f"1390000{n:04d}",
            station=station,
            weekdays_mask=0b0011111,
            shift_start=dt.time(8, 0),
            shift_end=dt.time(17, 0),
            travel_mode=TravelMode.EBIKE,
            active=True,
        )
        fields.update(kw)
        # Look skills up before building: a query would autoflush a half-built caregiver.
        fields["skills"] = [self.skill(code) for code in skills]
        return self._save(Caregiver(**fields))

    def care_plan(self, **kw: Any) -> CarePlan:
        fields: dict[str, Any] = dict(
            weekdays_mask=0b0011111,
            window_start=dt.time(11, 0),
            window_end=dt.time(12, 30),
            start_date=dt.date(2026, 11, 1),
            end_date=None,
            active=True,
        )
        fields.update(kw)
        fields.setdefault("elder", None) or fields.update(elder=self.elder())
        fields.setdefault("service_type", None) or fields.update(service_type=self.service_type())
        return self._save(CarePlan(**fields))

    def request(self, **kw: Any) -> ServiceRequest:
        fields: dict[str, Any] = dict(
            service_date=dt.date(2026, 11, 23),
            window_start=dt.time(11, 0),
            window_end=dt.time(12, 30),
            priority=3,
            origin=RequestOrigin.PHONE,
        )
        fields.update(kw)
        fields.setdefault("elder", None) or fields.update(elder=self.elder())
        fields.setdefault("service_type", None) or fields.update(service_type=self.service_type())
        return self._save(ServiceRequest(**fields))

    def visit(self, **kw: Any) -> Visit:
        fields: dict[str, Any] = dict(status=VisitStatus.PLANNED)
        fields.update(kw)
        fields.setdefault("request", None) or fields.update(request=self.request())
        return self._save(Visit(**fields))

    def user(self, role: Role = Role.ADMIN, password: str = PASSWORD, **kw: Any) -> User:
        n = _n()
        fields: dict[str, Any] = dict(username=f"{role.value}{n}", role=role, active=True)
        if role == Role.CAREGIVER and "caregiver" not in kw:
            fields["caregiver"] = self.caregiver()
        fields.update(kw)
        user = User(**fields)
        user.set_password(password)
        return self._save(user)
