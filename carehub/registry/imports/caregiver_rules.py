"""The elder import's caregiver columns: preferred caregivers and "do not send"."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import object_session

from carehub.core.enums import CaregiverRuleKind
from carehub.db import AnySession
from carehub.registry.models import Elder, ElderCaregiverRule

PREFERRED, AVOIDED = "_preferred_caregiver_ids", "_avoided_caregiver_ids"
KEYS = (PREFERRED, AVOIDED)
COLUMNS = {PREFERRED: "preferred_caregivers", AVOIDED: "do_not_send"}
KINDS = {PREFERRED: CaregiverRuleKind.PREFER, AVOIDED: CaregiverRuleKind.AVOID}


def _split(text: str) -> list[str]:
    parts = text.replace("；", ";").replace(",", ";").replace("，", ";").split(";")
    return list(dict.fromkeys(p.strip() for p in parts if p.strip()))


def resolve(
    values: Mapping[str, Any], caregivers: Mapping[str, int], report: Callable[[str, str], None]
) -> dict[str, tuple[int, ...]]:
    out: dict[str, tuple[int, ...]] = {}
    for key, column in COLUMNS.items():
        if column not in values:
            continue
        ids = []
        for code in _split(values[column] or ""):
            if code not in caregivers:
                report(column, _("Unknown caregiver: %(code)s", code=code))
            else:
                ids.append(caregivers[code])
        out[key] = tuple(ids)
    both = set(out.get(PREFERRED, ())) & set(out.get(AVOIDED, ()))
    if both:
        report("do_not_send", _("A caregiver cannot be both preferred and not to be sent."))
    return out


def _current(elder: Elder, kind: CaregiverRuleKind) -> tuple[int, ...]:
    session = object_session(elder)
    if session is None or elder.id is None:
        return ()
    return tuple(
        session.scalars(
            select(ElderCaregiverRule.caregiver_id)
            .where(ElderCaregiverRule.elder_id == elder.id, ElderCaregiverRule.kind == kind)
            .order_by(ElderCaregiverRule.rank, ElderCaregiverRule.id)
        )
    )


def same(elder: Elder, key: str, value: tuple[int, ...]) -> bool:
    return _current(elder, KINDS[key]) == tuple(value)


def assign(session: AnySession, elder: Elder, rules: Mapping[str, tuple[int, ...]]) -> None:
    for key, ids in rules.items():
        kind = KINDS[key]
        if elder.id is not None:
            session.execute(
                delete(ElderCaregiverRule).where(
                    ElderCaregiverRule.elder_id == elder.id, ElderCaregiverRule.kind == kind
                )
            )
        for rank, cid in enumerate(ids, start=1):
            session.add(ElderCaregiverRule(elder=elder, caregiver_id=cid, kind=kind, rank=rank))


def _cell(elder: Elder, kind: CaregiverRuleKind) -> str:
    session = object_session(elder)
    if session is None or elder.id is None:
        return ""
    return ";".join(r.caregiver.code for r in _rules(session, elder, kind))


def _rules(session: AnySession, elder: Elder, kind: CaregiverRuleKind) -> list[ElderCaregiverRule]:
    return list(
        session.scalars(
            select(ElderCaregiverRule)
            .where(ElderCaregiverRule.elder_id == elder.id, ElderCaregiverRule.kind == kind)
            .order_by(ElderCaregiverRule.rank, ElderCaregiverRule.id)
        )
    )


def preferred_cell(elder: Elder) -> str:
    return _cell(elder, CaregiverRuleKind.PREFER)


def avoided_cell(elder: Elder) -> str:
    return _cell(elder, CaregiverRuleKind.AVOID)
