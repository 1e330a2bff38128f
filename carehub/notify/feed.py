"""The change counter a caregiver's phone polls, kept by one session hook.

Whatever changes a caregiver's published visits or emergency offers (planning and
publishing, moves, a caregiver called in sick, an emergency offered, accepted or withdrawn,
re-planning) goes through an ORM flush. The hook sees the change there, raises that
caregiver's ``CaregiverFeed.version`` in the same transaction, and after the commit hands
what deserves a push or an SMS to ``carehub.notify.deliver``. No view or service has to
remember to tell the phone, so none can forget.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_app_context, has_request_context
from sqlalchemy import event, inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from carehub.core import audit
from carehub.core.once import once
from carehub.core.time import local_zone, now
from carehub.db import AnySession
from carehub.dispatch.models import Visit
from carehub.fieldwork.models import EmergencyOffer
from carehub.fieldwork.route import VISIBLE
from carehub.fieldwork.vocab import OfferStatus
from carehub.notify.models import CaregiverFeed

# Kinds of notice: a new emergency offer, a change to the route (a visit added, moved,
# re-timed, handed over or cancelled), or anything else the page shows (a visit's status,
# an offer answered, withdrawn or expired). Only the first two are pushed.
OFFER = "offer"
ROUTE = "route"
OTHER = "other"

ROUTE_FIELDS = ("caregiver_id", "planned_start", "planned_end", "route_seq", "meal_round_id")
_PENDING = "phone_pending"
_NOTICES = "phone_notices"
_ACTOR = "phone_actor"
_TOUCHED = "phone_touched"


@dataclass(frozen=True)
class Notice:
    caregiver_id: int
    kind: str
    # The local day of the visit concerned (route notices only).
    day: dt.date | None = None
    offer_id: int | None = None
    # Made by the caregiver's own phone (accepting an offer moves their visits): the page
    # that did it already knows, so it is counted but not pushed.
    by_self: bool = False


def version(session: AnySession, caregiver_id: int) -> tuple[int, dt.datetime | None]:
    row = session.get(CaregiverFeed, caregiver_id)
    return (row.version, row.changed_at) if row else (0, None)


def _acting_caregiver() -> int | None:
    if not has_request_context():
        return None
    from flask_login import current_user

    try:
        return getattr(current_user, "caregiver_id", None)
    except Exception:  # a device or anonymous caller has no caregiver
        return None


def _stored(session: Session, obj: Any) -> dict[str, Any]:
    table = inspect(obj).mapper.local_table
    row = session.connection().execute(select(table).where(table.c.id == obj.id)).mappings()
    found = row.first()
    return dict(found) if found else {}


def _before(session: Session, obj: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    """The values the database holds before this flush."""
    state = inspect(obj)
    old: dict[str, Any] = {}
    stored: dict[str, Any] | None = None
    for key in keys:
        history = state.attrs[key].history
        if not history.has_changes():
            old[key] = getattr(obj, key)
        elif history.deleted:
            old[key] = history.deleted[0]
        else:
            # Set after a commit expired the object: the old value was never loaded.
            stored = stored if stored is not None else _stored(session, obj)
            old[key] = stored.get(key)
    return old


def _local_day(at: dt.datetime | None) -> dt.date | None:
    return at.astimezone(local_zone()).date() if at is not None else None


def _visit_notices(old: dict[str, Any] | None, visit: Visit) -> list[Notice]:
    new = {key: getattr(visit, key) for key in (*ROUTE_FIELDS, "status")}
    if old is None:  # inserted
        if new["status"] not in VISIBLE or new["caregiver_id"] is None:
            return []
        return [Notice(new["caregiver_id"], ROUTE, _local_day(new["planned_start"]))]
    was_on, is_on = old["status"] in VISIBLE, new["status"] in VISIBLE
    if not (was_on or is_on):
        return []
    moved = was_on != is_on or any(old[k] != new[k] for k in ROUTE_FIELDS)
    if not moved and old["status"] == new["status"]:
        return []
    kind = ROUTE if moved else OTHER
    found = []
    if was_on and old["caregiver_id"] is not None:
        found.append(Notice(old["caregiver_id"], kind, _local_day(old["planned_start"])))
    if is_on and new["caregiver_id"] is not None:
        found.append(Notice(new["caregiver_id"], kind, _local_day(new["planned_start"])))
    return found


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    if audit.is_suppressed():
        return
    pending = session.info.setdefault(_PENDING, [])
    with session.no_autoflush:
        for obj in session.new:
            if isinstance(obj, Visit | EmergencyOffer):
                pending.append((obj, None))
        for obj in session.dirty:
            if isinstance(obj, Visit) and session.is_modified(obj):
                pending.append((obj, _before(session, obj, (*ROUTE_FIELDS, "status"))))
            elif isinstance(obj, EmergencyOffer) and session.is_modified(obj):
                pending.append((obj, _before(session, obj, ("caregiver_id", "status"))))
        for obj in session.deleted:
            if isinstance(obj, Visit):
                old = {key: getattr(obj, key) for key in (*ROUTE_FIELDS, "status")}
                if old["status"] in VISIBLE and old["caregiver_id"] is not None:
                    day = _local_day(old["planned_start"])
                    pending.append(Notice(old["caregiver_id"], ROUTE, day))
        if pending:
            session.info[_ACTOR] = _acting_caregiver()


def _offer_notices(old: dict[str, Any] | None, offer: EmergencyOffer) -> list[Notice]:
    if old is None:
        return [Notice(offer.caregiver_id, OFFER, offer_id=offer.id)]
    if old["status"] == offer.status and old["caregiver_id"] == offer.caregiver_id:
        return []
    return [Notice(offer.caregiver_id, OTHER)]


def _after_flush(session: Session, flush_context: Any) -> None:
    found: list[Notice] = []
    for item in session.info.pop(_PENDING, []):
        if isinstance(item, Notice):
            found.append(item)
            continue
        obj, old = item
        if isinstance(obj, Visit):
            found.extend(_visit_notices(old, obj))
        elif old is not None or obj.status == OfferStatus.OFFERED:
            found.extend(_offer_notices(old, obj))
    if not found:
        return
    touch(session, {n.caregiver_id for n in found})
    actor = session.info.get(_ACTOR)
    session.info.setdefault(_NOTICES, []).extend(
        Notice(n.caregiver_id, n.kind, n.day, n.offer_id, n.caregiver_id == actor) for n in found
    )


def touch(session: AnySession, caregiver_ids: set[int]) -> None:
    """Mark the caregivers' counters to be raised when this transaction commits (for
    changes the flush hook cannot see, such as a guarded bulk update)."""
    session.info.setdefault(_TOUCHED, set()).update(caregiver_ids)


def _before_commit(session: Session) -> None:
    # The last changes are flushed first, so their caregivers are counted too. Raising all
    # counters once, at the end and in id order, keeps two transactions from taking the
    # rows in opposite orders.
    session.flush()
    touched = session.info.pop(_TOUCHED, None)
    if touched:
        bump(session, touched)


def bump(session: AnySession, caregiver_ids: set[int]) -> None:
    """Raise each caregiver's counter: one upsert each, race-free under concurrent writers."""
    connection = session.connection()
    table = CaregiverFeed.__table__
    insert: Any = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    at = now()
    for caregiver_id in sorted(caregiver_ids):
        statement = insert(table).values(caregiver_id=caregiver_id, version=1, changed_at=at)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.caregiver_id],
                set_={"version": table.c.version + 1, "changed_at": at},
            )
        )


def _after_commit(session: Session) -> None:
    notices = session.info.pop(_NOTICES, None)
    if notices and has_app_context():
        from carehub.notify import deliver

        deliver.submit(current_app._get_current_object(), _unique(notices))  # type: ignore[attr-defined]


def _after_rollback(session: Session) -> None:
    for key in (_PENDING, _NOTICES, _ACTOR, _TOUCHED):
        session.info.pop(key, None)


def _unique(notices: list[Notice]) -> list[Notice]:
    return list(dict.fromkeys(notices))


@once
def install() -> None:
    """Hook the counter into every ORM session (once per process)."""
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_rollback", _after_rollback)
