"""Adding a policy: it may start only after the last locked month, so no locked month's
entitlement could ever be recomputed under it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from carehub.db import AnySession
from carehub.registry.services import FieldError
from carehub.subsidy.models import KINDS, MonthLock, SubsidyPolicy
from carehub.subsidy.months import Month


def last_locked(session: AnySession) -> Month | None:
    text = session.scalar(select(func.max(MonthLock.month)).where(MonthLock.locked.is_(True)))
    return Month.parse(text) if text else None


def add_policy(session: AnySession, effective_from: dt.date, **fields: Any) -> SubsidyPolicy:
    if fields.get("kind") not in KINDS:
        raise FieldError("kind", _("Unknown policy kind."))
    if session.scalar(select(SubsidyPolicy.id).where(SubsidyPolicy.code == fields["code"])):
        raise FieldError("code", _("A policy with this code already exists."))
    locked = last_locked(session)
    if locked is not None and effective_from <= locked.last:
        raise FieldError(
            "effective_from",
            _(
                "%(month)s is locked: a new policy can start from %(day)s at the earliest.",
                month=locked,
                day=locked.next().first,
            ),
        )
    policy = SubsidyPolicy(effective_from=effective_from, **fields)
    session.add(policy)
    session.flush()
    return policy
