"""Adding a policy: it may start only after the last locked month, so no locked month's
entitlement could ever be recomputed under it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from carehub.core.errors import FieldError
from carehub.db import AnySession
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


def end_policy(session: AnySession, policy_id: int, last_day: dt.date | None) -> SubsidyPolicy:
    """End a policy on ``last_day`` (or move its end). The days between the old and the new
    end change their entitlement, so none of them may fall in a locked month."""
    policy = session.get(SubsidyPolicy, policy_id)
    if policy is None:
        raise FieldError("policy", _("No such policy."))
    if last_day is None:
        raise FieldError("effective_to", _("Enter the policy's last day."))
    if last_day < policy.effective_from:
        raise FieldError(
            "effective_to",
            _(
                "The last day cannot be before the policy starts (%(day)s).",
                day=policy.effective_from,
            ),
        )
    locked = last_locked(session)
    earliest_change = min(last_day, policy.effective_to or last_day)
    if locked is not None and earliest_change < locked.last:
        raise FieldError(
            "effective_to",
            _(
                "%(month)s is locked: the policy can end on %(day)s at the earliest.",
                month=locked,
                day=locked.last,
            ),
        )
    policy.effective_to = last_day
    session.flush()
    return policy
