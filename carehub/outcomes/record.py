"""A visit as the phone recorded it, for the office's visit pages: notes, the checklist
ticked and unticked, the outcome, and every event with the time the phone recorded it and
the time the server received it."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from carehub.db import AnySession
from carehub.dispatch.models import Visit
from carehub.fieldwork import checklists
from carehub.fieldwork.models import VisitEvent
from carehub.fieldwork.vocab import OUTCOME_LABELS, EventType, Flag

EVENT_LABELS = {
    EventType.CHECK_IN: _l("Check-in"),
    EventType.CHECK_OUT: _l("Check-out"),
    EventType.OUTCOME: _l("Outcome"),
    EventType.NOTE: _l("Note"),
}
FLAG_LABELS = {
    Flag.FAR_FROM_HOME: _l("far from home"),
    Flag.NO_LOCATION: _l("no location"),
    Flag.CLOCK_AHEAD: _l("phone clock ahead"),
}


@dataclass(frozen=True)
class ChecklistLine:
    code: str
    label: str
    ticked: bool
    # Ticked on the phone but no longer on the service type's checklist.
    removed: bool = False


@dataclass(frozen=True)
class PhoneRecord:
    events: list[VisitEvent]
    notes: list[VisitEvent]
    checklist: list[ChecklistLine]
    outcome: str | None
    outcome_label: str
    # The outcome event the visit's outcome comes from (the last one recorded).
    outcome_event: VisitEvent | None

    @property
    def ticked(self) -> int:
        return sum(1 for line in self.checklist if line.ticked)


def event_label(kind: str) -> str:
    return str(EVENT_LABELS.get(kind, kind))  # type: ignore[call-overload]


def flag_label(flag: str) -> str:
    return str(FLAG_LABELS.get(flag, flag))  # type: ignore[call-overload]


def outcome_label(outcome: str | None) -> str:
    if not outcome:
        return ""
    return str(OUTCOME_LABELS.get(outcome, outcome))  # type: ignore[call-overload]


def build(session: AnySession, visit: Visit, locale: str) -> PhoneRecord:
    events = list(
        session.scalars(
            select(VisitEvent)
            .where(VisitEvent.visit_id == visit.id)
            .options(selectinload(VisitEvent.user))
            .order_by(VisitEvent.recorded_at, VisitEvent.received_at, VisitEvent.id)
        )
    )
    outcomes = [e for e in events if e.type == EventType.OUTCOME]
    last = outcomes[-1] if outcomes else None
    done = set(last.checklist or []) if last else set()
    items = checklists.items_for(session, visit.request.service_type_id)
    lines = [ChecklistLine(i.code, i.label(locale), i.code in done) for i in items]
    known = {i.code for i in items}
    lines += [
        ChecklistLine(code, code, True, removed=True)
        for code in (last.checklist or [] if last else [])
        if code not in known
    ]
    return PhoneRecord(
        events=events,
        notes=[e for e in events if e.text],
        checklist=lines,
        outcome=visit.outcome,
        outcome_label=outcome_label(visit.outcome),
        outcome_event=last,
    )
