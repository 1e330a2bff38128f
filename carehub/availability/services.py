"""Absences and elders' caregiver rules: recorded, decided, and read for one day's plan."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from carehub.availability.models import CaregiverAbsence
from carehub.core.enums import AbsenceKind, AbsenceStatus, CaregiverRuleKind
from carehub.core.errors import FieldError
from carehub.core.time import local_zone
from carehub.db import AnySession
from carehub.registry.models import Caregiver, Elder, ElderCaregiverRule

# A city's day names tens of thousands of elders; drivers cap the parameters of a statement.
CHUNK = 5000


def _chunks(ids: Collection[int]) -> list[list[int]]:
    ordered = sorted(ids)
    return [ordered[i : i + CHUNK] for i in range(0, len(ordered), CHUNK)]


def day_bounds(first: dt.date, last: dt.date | None = None) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight of ``first`` to local midnight after ``last``, as UTC instants."""
    zone = local_zone()
    start = dt.datetime.combine(first, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine((last or first) + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def record(
    session: AnySession,
    caregiver: Caregiver,
    kind: AbsenceKind | str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    *,
    status: AbsenceStatus = AbsenceStatus.APPROVED,
    note: str | None = None,
    user_id: int | None = None,
) -> CaregiverAbsence:
    if kind not in set(AbsenceKind):
        raise FieldError("kind", _("Choose sick or leave."))
    if ends_at <= starts_at:
        raise FieldError("ends_at", _("An absence must end after it starts."))
    if ends_at - starts_at > dt.timedelta(days=366):
        raise FieldError("ends_at", _("An absence may last at most a year."))
    absence = CaregiverAbsence(
        caregiver=caregiver,
        kind=AbsenceKind(kind),
        starts_at=starts_at,
        ends_at=ends_at,
        status=status,
        note=note or None,
        requested_by_id=user_id,
        decided_by_id=user_id if status == AbsenceStatus.APPROVED else None,
    )
    session.add(absence)
    session.flush()
    return absence


def decide(absence: CaregiverAbsence, approve: bool, user_id: int | None) -> None:
    if absence.status != AbsenceStatus.REQUESTED:
        raise FieldError("status", _("This absence has already been decided."))
    absence.status = AbsenceStatus.APPROVED if approve else AbsenceStatus.DECLINED
    absence.decided_by_id = user_id


def approved_between(
    session: AnySession, caregiver_ids: Collection[int], start: dt.datetime, end: dt.datetime
) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
    """Approved absences overlapping [start, end), per caregiver id."""
    found: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for chunk in _chunks(caregiver_ids):
        rows = session.execute(
            select(
                CaregiverAbsence.caregiver_id, CaregiverAbsence.starts_at, CaregiverAbsence.ends_at
            )
            .where(
                CaregiverAbsence.caregiver_id.in_(chunk),
                CaregiverAbsence.status == AbsenceStatus.APPROVED,
                CaregiverAbsence.starts_at < end,
                CaregiverAbsence.ends_at > start,
            )
            .order_by(CaregiverAbsence.starts_at)
        )
        for cid, a, b in rows:
            found[cid].append((a, b))
    return found


def absent_at(session: AnySession, caregiver_ids: Collection[int], at: dt.datetime) -> set[int]:
    """The caregivers away at the instant ``at``."""
    return set(approved_between(session, caregiver_ids, at, at + dt.timedelta(seconds=1)))


def absent_all_day(session: AnySession, caregiver_ids: Collection[int], day: dt.date) -> set[int]:
    """The caregivers away for the whole of ``day`` (midnight to midnight)."""
    start, end = day_bounds(day)
    out = set()
    for cid, spans in approved_between(session, caregiver_ids, start, end).items():
        t = start
        for a, b in sorted(spans):
            if a > t:
                break
            t = max(t, b)
        if t >= end:
            out.add(cid)
    return out


def ask(
    session: AnySession,
    caregiver: Caregiver,
    kind: AbsenceKind | str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    note: str | None,
    user_id: int,
) -> CaregiverAbsence:
    """The caregiver's own request, from the phone page or the API: it waits for the
    office to approve or decline it."""
    return record(
        session,
        caregiver,
        kind,
        starts_at,
        ends_at,
        status=AbsenceStatus.REQUESTED,
        note=note,
        user_id=user_id,
    )


def for_caregiver(session: AnySession, caregiver: Caregiver) -> list[CaregiverAbsence]:
    return list(
        session.scalars(
            select(CaregiverAbsence)
            .where(CaregiverAbsence.caregiver_id == caregiver.id)
            .order_by(CaregiverAbsence.starts_at.desc())
        )
    )


def requested(session: AnySession, station_id: int | None) -> list[CaregiverAbsence]:
    stmt = (
        select(CaregiverAbsence)
        .join(Caregiver)
        .where(CaregiverAbsence.status == AbsenceStatus.REQUESTED)
        .order_by(CaregiverAbsence.starts_at)
    )
    if station_id is not None:
        stmt = stmt.where(Caregiver.station_id == station_id)
    return list(session.scalars(stmt))


@dataclass
class ElderRules:
    preferred: list[Caregiver] = field(default_factory=list)  # best first
    avoided: list[Caregiver] = field(default_factory=list)


def rules_for(session: AnySession, elder_ids: Collection[int]) -> dict[int, ElderRules]:
    found: dict[int, ElderRules] = defaultdict(ElderRules)
    for chunk in _chunks(elder_ids):
        rows = session.scalars(
            select(ElderCaregiverRule)
            .where(ElderCaregiverRule.elder_id.in_(chunk))
            .options(selectinload(ElderCaregiverRule.caregiver))
            .order_by(ElderCaregiverRule.elder_id, ElderCaregiverRule.rank, ElderCaregiverRule.id)
        )
        for rule in rows:
            rules = found[rule.elder_id]
            kind = rules.preferred if rule.kind == CaregiverRuleKind.PREFER else rules.avoided
            kind.append(rule.caregiver)
    return found


def caregivers_by_code(session: AnySession, codes: Sequence[str], name: str) -> list[Caregiver]:
    """The caregivers of ``codes`` in that order; a FieldError naming ``name`` for one unknown."""
    wanted = [c for c in dict.fromkeys(c.strip() for c in codes) if c]
    rows = {c.code: c for c in session.scalars(select(Caregiver).where(Caregiver.code.in_(wanted)))}
    unknown = [c for c in wanted if c not in rows]
    if unknown:
        raise FieldError(name, _("No caregiver with code %(code)s.", code=unknown[0]))
    return [rows[c] for c in wanted]


def set_rules(
    session: AnySession, elder: Elder, preferred: Sequence[Caregiver], avoided: Sequence[Caregiver]
) -> None:
    """Replace the elder's preferred (in order) and "do not send" caregivers."""
    both = {c.code for c in preferred} & {c.code for c in avoided}
    if both:
        raise FieldError(
            "avoided",
            _("%(code)s cannot be both preferred and not to be sent.", code=sorted(both)[0]),
        )
    session.execute(delete(ElderCaregiverRule).where(ElderCaregiverRule.elder_id == elder.id))
    for rank, c in enumerate(preferred, start=1):
        session.add(
            ElderCaregiverRule(
                elder_id=elder.id, caregiver=c, kind=CaregiverRuleKind.PREFER, rank=rank
            )
        )
    for c in avoided:
        session.add(
            ElderCaregiverRule(elder_id=elder.id, caregiver=c, kind=CaregiverRuleKind.AVOID, rank=0)
        )
    session.flush()


def usable(
    session: AnySession, elder: Elder, caregivers: Sequence[Caregiver], at: dt.datetime
) -> list[Caregiver]:
    """``caregivers`` less those away at ``at`` and those the elder must not be sent."""
    away = absent_at(session, [c.id for c in caregivers], at)
    avoided = {c.id for c in rules_for(session, [elder.id])[elder.id].avoided}
    return [c for c in caregivers if c.id not in away and c.id not in avoided]
