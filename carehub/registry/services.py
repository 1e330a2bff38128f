"""Registry operations: find, create and change stations, elders, caregivers and service types.

Writers flush and leave the commit to the caller; the audit hook logs every change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select

from carehub.core.enums import ElderStatus
from carehub.core.errors import DomainError, FieldError  # noqa: F401  (re-exported for callers not yet moved)
from carehub.core.scope import station_scope  # noqa: F401  (re-exported likewise)
from carehub.db import AnySession
from carehub.geo.travel import current_model
from carehub.registry.models import (
    Caregiver,
    Elder,
    ElderStatusPeriod,
    Kitchen,
    ServiceType,
    Skill,
    Station,
)
from carehub.registry.naming import name_initials

T = TypeVar("T")


# --- finding -----------------------------------------------------------------------------


def _matching(
    stmt: Select[Any], text: str, code: Any, *fragments: Any, prefixes: tuple[Any, ...] = ()
) -> Select[Any]:
    """Rows whose code starts with the text (any case), or whose other columns contain it
    (``prefixes``: columns matched from their start, lower-cased, such as pinyin initials)."""
    text = text.strip()
    if not text:
        return stmt
    lowered = text.lower()
    return stmt.where(
        or_(
            func.lower(code).startswith(lowered, autoescape=True),
            *(column.contains(text, autoescape=True) for column in fragments),
            *(column.startswith(lowered, autoescape=True) for column in prefixes),
            # Further spellings (a surname read two ways) follow a space.
            *(column.contains(" " + lowered, autoescape=True) for column in prefixes),
        )
    )


@dataclass(frozen=True)
class ElderFilter:
    text: str = ""
    station_id: int | None = None
    care_level: str = ""
    hardship: str = ""
    status: str = ""


def elder_query(wanted: ElderFilter, scope: int | None = None) -> Select[Elder]:
    """Elders by code prefix, name or phone fragment, or pinyin initials (``zxy`` finds 张秀英)."""
    stmt = _matching(
        select(Elder).order_by(Elder.code),
        wanted.text,
        Elder.code,
        Elder.name,
        Elder.phone,
        prefixes=(Elder.name_initials,),
    )
    if scope is not None:
        stmt = stmt.where(Elder.station_id == scope)
    if wanted.station_id:
        stmt = stmt.where(Elder.station_id == wanted.station_id)
    if wanted.care_level:
        stmt = stmt.where(Elder.care_level == wanted.care_level)
    if wanted.hardship:
        stmt = stmt.where(Elder.hardship == wanted.hardship)
    if wanted.status:
        stmt = stmt.where(Elder.status == wanted.status)
    return stmt


def caregiver_query(
    text: str = "",
    station_id: int | None = None,
    skill_id: int | None = None,
    scope: int | None = None,
) -> Select[Caregiver]:
    stmt = _matching(
        select(Caregiver).order_by(Caregiver.code),
        text,
        Caregiver.code,
        Caregiver.name,
        Caregiver.phone,
    )
    if scope is not None:
        stmt = stmt.where(Caregiver.station_id == scope)
    if station_id:
        stmt = stmt.where(Caregiver.station_id == station_id)
    if skill_id:
        stmt = stmt.where(Caregiver.skills.any(Skill.id == skill_id))
    return stmt


def station_query(text: str = "", scope: int | None = None) -> Select[Station]:
    stmt = _matching(
        select(Station).order_by(Station.code), text, Station.code, Station.name, Station.address
    )
    if scope is not None:
        stmt = stmt.where(Station.id == scope)
    return stmt


def service_type_query(text: str = "") -> Select[ServiceType]:
    return _matching(
        select(ServiceType).order_by(ServiceType.code),
        text,
        ServiceType.code,
        ServiceType.name_zh,
        ServiceType.name_en,
    )


def minutes_from_station(elder: Elder) -> float | None:
    """E-bike minutes from the elder's station to their home, or None when either is unknown."""
    station = elder.station
    if station is None or elder.lat is None or elder.lon is None:
        return None
    return round(current_model().minutes((station.lat, station.lon), (elder.lat, elder.lon)), 1)


# --- writing -----------------------------------------------------------------------------


def _ensure_unique_code(session: AnySession, model: Any, code: str, own_id: int | None) -> None:
    stmt = select(model.id).where(model.code == code)
    if own_id is not None:
        stmt = stmt.where(model.id != own_id)
    if session.scalar(stmt) is not None:
        raise FieldError("code", _("The code '%(code)s' is already in use.", code=code))


def _apply(obj: Any, fields: dict[str, Any]) -> None:
    for key, value in fields.items():
        setattr(obj, key, value)


def _create_coded(session: AnySession, cls: type[T], fields: dict[str, Any]) -> T:
    """A new row of a table keyed by a unique code (stations, kitchens)."""
    _ensure_unique_code(session, cls, fields["code"], None)
    row = cls()
    _apply(row, fields)
    session.add(row)
    session.flush()
    return row


def _update_coded(session: AnySession, row: T, fields: dict[str, Any]) -> T:
    _ensure_unique_code(session, type(row), fields["code"], row.id)  # type: ignore[attr-defined]
    _apply(row, fields)
    session.flush()
    return row


def create_station(session: AnySession, fields: dict[str, Any]) -> Station:
    return _create_coded(session, Station, fields)


def update_station(session: AnySession, station: Station, fields: dict[str, Any]) -> Station:
    return _update_coded(session, station, fields)


def create_kitchen(session: AnySession, fields: dict[str, Any]) -> Kitchen:
    return _create_coded(session, Kitchen, fields)


def update_kitchen(session: AnySession, kitchen: Kitchen, fields: dict[str, Any]) -> Kitchen:
    return _update_coded(session, kitchen, fields)


def create_elder(
    session: AnySession, fields: dict[str, Any], *, status_from: dt.date | None = None
) -> Elder:
    """A new elder; a status other than active is recorded as a period from ``status_from``."""
    _ensure_unique_code(session, Elder, fields["code"], None)
    fields = dict(fields)
    status = ElderStatus(fields.pop("status", ElderStatus.ACTIVE))
    elder = Elder(status=ElderStatus.ACTIVE)
    _apply(elder, fields)
    elder.name_initials = name_initials(elder.name)
    session.add(elder)
    if status != ElderStatus.ACTIVE:
        change_status(elder, status, status_from)
    session.flush()
    return elder


def update_elder(
    session: AnySession,
    elder: Elder,
    fields: dict[str, Any],
    *,
    status_from: dt.date | None = None,
) -> Elder:
    """Change an elder; a new status closes the open period and starts one at ``status_from``."""
    _ensure_unique_code(session, Elder, fields["code"], elder.id)
    fields = dict(fields)
    status = ElderStatus(fields.pop("status", elder.status))
    # The status first: if its date is refused, nothing else has been touched yet.
    if status != elder.status:
        change_status(elder, status, status_from)
    _apply(elder, fields)
    elder.name_initials = name_initials(elder.name)
    session.flush()
    return elder


def change_status(elder: Elder, status: ElderStatus, start: dt.date | None) -> None:
    """Close the open status period the day before ``start`` and open one for ``status``."""
    if start is None:
        raise FieldError("status_since", _("Give the date the new status applies from."))
    open_periods = [p for p in elder.status_periods if p.end_date is None]
    latest = max((p.start_date for p in elder.status_periods), default=None)
    if latest is not None and start <= latest:
        raise FieldError(
            "status_since",
            _("The date must be after %(day)s, when the current status began.", day=latest),
        )
    for period in open_periods:
        period.end_date = start - dt.timedelta(days=1)
    elder.status_periods.append(ElderStatusPeriod(status=status, start_date=start))
    elder.status = status
    elder.status_since = start


def _skills(session: AnySession, ids: list[int]) -> list[Skill]:
    if not ids:
        return []
    return list(session.scalars(select(Skill).where(Skill.id.in_(ids)).order_by(Skill.code)))


def create_caregiver(
    session: AnySession, fields: dict[str, Any], skill_ids: list[int]
) -> Caregiver:
    _ensure_unique_code(session, Caregiver, fields["code"], None)
    caregiver = Caregiver()
    _apply(caregiver, fields)
    caregiver.skills = _skills(session, skill_ids)
    session.add(caregiver)
    session.flush()
    return caregiver


def update_caregiver(
    session: AnySession, caregiver: Caregiver, fields: dict[str, Any], skill_ids: list[int]
) -> Caregiver:
    _ensure_unique_code(session, Caregiver, fields["code"], caregiver.id)
    _apply(caregiver, fields)
    caregiver.skills = _skills(session, skill_ids)
    session.flush()
    return caregiver


def create_service_type(session: AnySession, fields: dict[str, Any]) -> ServiceType:
    _ensure_unique_code(session, ServiceType, fields["code"], None)
    service_type = ServiceType()
    _apply(service_type, fields)
    session.add(service_type)
    session.flush()
    return service_type


def update_service_type(
    session: AnySession, service_type: ServiceType, fields: dict[str, Any]
) -> ServiceType:
    _ensure_unique_code(session, ServiceType, fields["code"], service_type.id)
    _apply(service_type, fields)
    session.flush()
    return service_type
