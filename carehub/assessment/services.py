"""Recording assessments and overrides, the form versions, and who is due.

An elder's care level changes only here: a scored assessment, or an administrator's
override with a reason. Both add an entry to the effective-dated history the subsidy
engine reads, and update the elder's current tier for the rest of the platform.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from carehub.assessment import standard
from carehub.core.enums import CareLevel, ElderStatus
from carehub.core.errors import FieldError
from carehub.core.once import once
from carehub.core.time import local_today, to_local
from carehub.db import AnySession
from carehub.registry.assessments import (
    KIND_ASSESSMENT,
    KIND_OVERRIDE,
    Assessment,
    AssessmentFlag,
    AssessmentForm,
)
from carehub.registry.models import Elder, ElderStatusPeriod
from carehub.subsidy.models import DEFAULT_TIERS, MONTHLY_KINDS, SubsidyPolicy
from carehub.subsidy.policy.entitlement import PolicyTerms, in_force

_ALLOW = "care_level_by_assessment"
MONTHLY = SubsidyPolicy.kind.in_(MONTHLY_KINDS)


# --- forms -------------------------------------------------------------------------------


def load_form(session: AnySession, path: Path = standard.DEFAULT_FILE) -> AssessmentForm:
    """Store a form document as a new version (or return the stored one of that code and
    version; a stored version is never changed, since assessments were scored with it)."""
    form, doc = standard.load(path)
    found = session.scalar(
        select(AssessmentForm).where(
            AssessmentForm.code == form.code, AssessmentForm.version == form.version
        )
    )
    if found is not None:
        return found
    row = AssessmentForm(
        code=form.code,
        version=form.version,
        name=form.name_zh or form.name_en,
        source=form.source,
        definition=doc,
    )
    session.add(row)
    session.flush()
    return row


def current_form(session: AnySession) -> AssessmentForm:
    """The latest loaded form; the bundled GB/T 42195-2022 form when none is loaded yet."""
    found = session.scalar(select(AssessmentForm).order_by(AssessmentForm.id.desc()).limit(1))
    return found if found is not None else load_form(session)


def parsed(row: AssessmentForm) -> standard.Form:
    return standard.parse(row.definition)


# --- the history -------------------------------------------------------------------------


def tiers_on(session: AnySession, day: dt.date) -> PolicyTerms | None:
    return in_force(
        [PolicyTerms.of(p) for p in session.scalars(select(SubsidyPolicy).where(MONTHLY))], day
    )


def history(session: AnySession, elder_id: int) -> list[Assessment]:
    return list(
        session.scalars(
            select(Assessment)
            .where(Assessment.elder_id == elder_id)
            .order_by(Assessment.effective_from.desc(), Assessment.id.desc())
        )
    )


@contextmanager
def _changing_level(session: AnySession) -> Iterator[None]:
    session.flush()  # anything pending is still checked by the guard
    session.info[_ALLOW] = True
    try:
        yield
        session.flush()
    finally:
        session.info.pop(_ALLOW, None)


def _apply(session: AnySession, elder: Elder, entry: Assessment, today: dt.date) -> None:
    """The elder's current tier follows the newest entry in force today."""
    with _changing_level(session):
        session.add(entry)
        session.flush()
        current = [e for e in history(session, elder.id) if e.effective_from <= today]
        if current:
            newest = current[0]
            elder.care_level = CareLevel(newest.care_level)
            elder.care_level_assessed_on = newest.assessed_on


@dataclass
class Signature:
    user_id: int | None
    name: str


def record(
    session: AnySession,
    elder: Elder,
    form_row: AssessmentForm,
    answers: Mapping[str, int],
    adjustments: frozenset[str],
    assessed_on: dt.date,
    signature: Signature,
    today: dt.date,
    place: str = "office",
) -> Assessment:
    """Score and store an assessment, in force from the day it was done."""
    if assessed_on > today:
        raise FieldError("assessed_on", _("An assessment cannot be dated in the future."))
    if not signature.name.strip():
        raise FieldError("signed_name", _("The assessor must sign with their name."))
    try:
        result = standard.score(parsed(form_row), answers, adjustments)
    except standard.AnswerError as exc:
        raise FieldError(exc.field, str(exc)) from exc
    policy = tiers_on(session, assessed_on)
    tier = policy.tier_of(result.level) if policy else DEFAULT_TIERS[result.level]
    entry = Assessment(
        elder_id=elder.id,
        kind=KIND_ASSESSMENT,
        form_id=form_row.id,
        assessed_on=assessed_on,
        effective_from=assessed_on,
        answers=dict(answers),
        adjustments=sorted(adjustments),
        indicator_scores=result.indicator_scores,
        total=result.total,
        ability_level=result.level,
        care_level=tier,
        previous_care_level=str(elder.care_level),
        place=place,
        signed_by_id=signature.user_id,
        signed_name=signature.name.strip(),
    )
    _apply(session, elder, entry, today)
    for flag in open_flags(session, elder.id):
        flag.settled_by_id = entry.id
    return entry


def override(
    session: AnySession,
    elder: Elder,
    care_level: CareLevel,
    effective_from: dt.date,
    reason: str,
    signature: Signature,
    today: dt.date,
) -> Assessment:
    """An administrator sets the tier without an assessment; the reason is kept and
    audited like every entry."""
    if not reason.strip():
        raise FieldError("reason", _("An override needs a reason."))
    if effective_from > today:
        # The current level is set when the entry is recorded; nothing moves it later.
        raise FieldError("effective_from", _("An override cannot start in the future."))
    entry = Assessment(
        elder_id=elder.id,
        kind=KIND_OVERRIDE,
        assessed_on=effective_from,
        effective_from=effective_from,
        care_level=care_level.value,
        previous_care_level=str(elder.care_level),
        reason=reason.strip(),
        signed_by_id=signature.user_id,
        signed_name=signature.name,
    )
    _apply(session, elder, entry, today)
    return entry


# --- flags and the due list --------------------------------------------------------------


def open_flags(session: AnySession, elder_id: int) -> list[AssessmentFlag]:
    return list(
        session.scalars(
            select(AssessmentFlag).where(
                AssessmentFlag.elder_id == elder_id, AssessmentFlag.settled_by_id.is_(None)
            )
        )
    )


def flag(
    session: AnySession, elder: Elder, note: str, user_id: int, today: dt.date
) -> AssessmentFlag:
    if not note.strip():
        raise FieldError("note", _("Say what changed."))
    row = AssessmentFlag(elder_id=elder.id, noted_on=today, note=note.strip(), noted_by_id=user_id)
    session.add(row)
    session.flush()
    return row


def flag_change(
    session: AnySession, elder: Elder, note: str, user_id: int, noted_at: dt.datetime
) -> AssessmentFlag:
    """A change noted on a caregiver's phone, dated on the Shanghai day it was recorded (a
    phone clock running ahead cannot date it later than today)."""
    local = to_local(noted_at)
    day = min(local.date(), local_today()) if local is not None else local_today()
    return flag(session, elder, note, user_id, day)


REASON_NEVER = "never"
REASON_INTERVAL = "interval"
REASON_DISCHARGE = "discharge"
REASON_FLAG = "flag"


@dataclass
class Due:
    elder: Elder
    due_on: dt.date
    reason: str
    last_assessed: dt.date | None

    def overdue(self, today: dt.date) -> bool:
        return self.due_on < today


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_list(
    session: AnySession,
    today: dt.date,
    interval_months: int,
    within_days: int = 30,
    station_id: int | None = None,
) -> list[Due]:
    """Elders due for (re-)assessment by ``today + within_days``, soonest first: never
    assessed; ``interval_months`` after the last one; at once after a hospital stay that
    ended since; at once after a change someone flagged."""
    where: list[Any] = [Elder.status.not_in([ElderStatus.DECEASED, ElderStatus.MOVED])]
    if station_id is not None:
        where.append(Elder.station_id == station_id)
    elders = list(session.scalars(select(Elder).where(*where).order_by(Elder.code)))
    last: dict[int, dt.date] = {}
    for eid, day in session.execute(
        select(Assessment.elder_id, Assessment.assessed_on).where(
            Assessment.kind == KIND_ASSESSMENT
        )
    ):
        if eid not in last or day > last[eid]:
            last[eid] = day
    discharged: dict[int, list[dt.date]] = {}
    ended: Any = session.execute(
        select(ElderStatusPeriod.elder_id, ElderStatusPeriod.end_date).where(
            ElderStatusPeriod.status == ElderStatus.HOSPITALISED,
            ElderStatusPeriod.end_date.is_not(None),
            ElderStatusPeriod.end_date < today,
        )
    )
    for eid, end in ended:
        discharged.setdefault(eid, []).append(end)
    flagged: dict[int, dt.date] = {}
    for eid, day in session.execute(
        select(AssessmentFlag.elder_id, AssessmentFlag.noted_on).where(
            AssessmentFlag.settled_by_id.is_(None)
        )
    ):
        flagged[eid] = min(day, flagged.get(eid, day))
    horizon = today + dt.timedelta(days=within_days)
    found: list[Due] = []
    for elder in elders:
        previous = last.get(elder.id) or elder.care_level_assessed_on
        candidates: list[tuple[dt.date, str]] = []
        if previous is None:
            candidates.append((today, REASON_NEVER))
        else:
            candidates.append((add_months(previous, interval_months), REASON_INTERVAL))
        for end in discharged.get(elder.id, []):
            if previous is None or end >= previous:
                candidates.append((end + dt.timedelta(days=1), REASON_DISCHARGE))
        if elder.id in flagged:
            candidates.append((flagged[elder.id], REASON_FLAG))
        due_on, reason = min(candidates)
        if due_on <= horizon:
            found.append(Due(elder, due_on, reason, previous))
    found.sort(key=lambda d: (d.due_on, d.elder.code))
    return found


# --- the guard ---------------------------------------------------------------------------


@once
def install_guard() -> None:
    """Refuse any other change of an existing elder's care level (the edit form, an
    import): the level comes from the assessment history."""

    @event.listens_for(Session, "before_flush")
    def _guard(session: Session, flush_context: Any, instances: Any) -> None:
        if session.info.get(_ALLOW):
            return
        for obj in session.dirty:
            if not isinstance(obj, Elder):
                continue
            changes = inspect(obj).attrs.care_level.history
            if not changes.added:
                continue
            if changes.deleted:
                before = changes.deleted[0]
            else:  # the old value was not loaded: read the stored one
                with session.no_autoflush:
                    before = session.scalar(select(Elder.care_level).where(Elder.id == obj.id))
            if before is not None and str(before) != str(changes.added[0]):
                raise FieldError(
                    "care_level",
                    _(
                        "%(elder)s: the care level changes only through an assessment "
                        "or an administrator's override.",
                        elder=obj.code,
                    ),
                )
