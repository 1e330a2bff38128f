"""An open month's verdicts and entitlements, stored in the database and shared by every
web process.

Working out a city month takes some 20 s and 90 MB, too much for each web process to do
on its own and too slow for a request. A task (``carehub.subsidy.tasks``) works the month
out and stores the rules' verdicts and the entitlements in ``subsidy_month_figures``
together with a fingerprint of every input (``month_cache.fingerprint``, hashed). A page
takes the fingerprint again (a few aggregate queries) and:

- uses the stored figures when the fingerprints match, so every process shows the same;
- works a small month out in the request (``SUBSIDY_INLINE_VISITS`` visits or fewer: the
  demo, a new district), the same figures any process would get from the same records;
- otherwise asks the queue to work the month out and shows the last stored figures marked
  as being worked out, or a "being worked out" page when there are none yet.

Auditors' decisions and adjustments are never stored here: they are read on every request
and laid over the verdicts (``reconcile.assemble``), so a review shows at once. A locked
month is read from its own snapshot, which only unlocking changes.

A process may keep what it decoded, keyed by the stored fingerprint: the same key always
means the same figures, in any process.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zlib
from collections.abc import Hashable
from dataclasses import replace

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import ServiceUnavailable

from carehub.core.time import now
from carehub.db import AnySession
from carehub.subsidy.models import MonthFigures
from carehub.subsidy.months import Month
from carehub.subsidy.reconciliation import month_cache
from carehub.subsidy.reconciliation import reconcile as rc
from carehub.subsidy.reconciliation.rules import Settings, current_settings

FORMAT = 1  # of the stored payload; a payload of another format counts as missing
CLAIM_S = 900  # a claim older than this belongs to a worker that died


class MonthPending(ServiceUnavailable):
    """A large month with no stored figures yet: a task is working it out."""

    def __init__(self) -> None:
        super().__init__(
            description=_(
                "This month's figures are being worked out. Reload the page in a minute."
            ),
            retry_after=30,
        )


def digest(mark: Hashable) -> str:
    return hashlib.sha256(repr(mark).encode()).hexdigest()


def _visit_count(mark: Hashable) -> int:
    if mark[0] != "open":  # type: ignore[index]
        return 0
    return int(mark[1][0] or 0)  # type: ignore[index]


# -- the payload: compact JSON, compressed -------------------------------------------------


def encode(judged: rc.Judged) -> bytes:
    visits = [
        [v.visit_id, v.elder_id, v.day.toordinal(), v.outcome, v.reasons, v.value_fen]
        for v in judged.visits.values()
    ]
    elders = [
        [
            e.elder_id,
            e.code,
            e.station_id,
            e.care_level,
            e.entitlement_fen,
            e.carried_in_fen,
            e.visit_ids,
        ]
        for e in judged.elders
    ]
    text = json.dumps({"format": FORMAT, "visits": visits, "elders": elders}, ensure_ascii=False)
    return zlib.compress(text.encode(), 6)


def decode(data: bytes, month: Month) -> rc.Judged | None:
    found = json.loads(zlib.decompress(data))
    if found.get("format") != FORMAT:
        return None
    days: dict[int, dt.date] = {}
    visits: dict[int, rc.VisitOutcome] = {}
    for vid, eid, ordinal, outcome, reasons, value in found["visits"]:
        day = days.get(ordinal)
        if day is None:
            day = days[ordinal] = dt.date.fromordinal(ordinal)
        visits[vid] = rc.VisitOutcome(vid, eid, day, outcome, reasons or rc.NO_REASONS, value)
    elders = [
        rc.ElderRow(eid, code, station, level, entitled, carried, list(vids))
        for eid, code, station, level, entitled, carried, vids in found["elders"]
    ]
    return rc.Judged(month, visits, elders)


# -- working a month out (the task's service) ------------------------------------------------


def _row(session: AnySession, month: Month) -> MonthFigures | None:
    return session.scalar(select(MonthFigures).where(MonthFigures.month == str(month)))


def _ensure_row(session: AnySession, month: Month) -> None:
    if _row(session, month) is not None:
        return
    session.add(MonthFigures(month=str(month), visit_count=0))
    try:
        session.commit()
    except IntegrityError:  # another worker added it first
        session.rollback()


def _claim(session: AnySession, month: Month, mark: str) -> bool:
    """Take the month for these inputs unless another worker is on them already."""
    at = now()
    taken = session.execute(
        update(MonthFigures)
        .where(
            MonthFigures.month == str(month),
            or_(
                MonthFigures.working_fingerprint.is_(None),
                MonthFigures.working_fingerprint != mark,
                MonthFigures.working_since < at - dt.timedelta(seconds=CLAIM_S),
            ),
        )
        .values(working_fingerprint=mark, working_since=at)
        .execution_options(synchronize_session=False)
    )
    return bool(taken.rowcount)  # type: ignore[attr-defined]


def _snapshot_transaction(session: AnySession) -> None:
    """Read the fingerprint and the records in one snapshot, so the stored fingerprint is
    that of exactly the records judged (SQLite's read transaction already is one)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def work_out(session: AnySession, month: Month, settings: Settings | None = None) -> str:
    """Work an open month out and store its verdicts and entitlements, unless the stored
    ones already match the records or another worker is working them out. Commits; returns
    what it did ("locked", "current", "busy" or "stored")."""
    settings = settings or current_settings()
    session.commit()
    mark = month_cache.fingerprint(session, month, settings)
    if mark[0] == "locked":  # type: ignore[index]
        session.rollback()
        return "locked"
    key = digest(mark)
    row = _row(session, month)
    if row is not None and row.fingerprint == key and row.payload is not None:
        session.rollback()
        return "current"
    _ensure_row(session, month)
    if not _claim(session, month, key):
        session.rollback()
        return "busy"
    session.commit()
    try:
        _snapshot_transaction(session)
        mark = month_cache.fingerprint(session, month, settings)
        judged = rc.judge_month(session, month, settings)
        payload = encode(judged)
        session.rollback()  # end the read snapshot before writing
        session.execute(
            update(MonthFigures)
            .where(MonthFigures.month == str(month))
            .values(
                fingerprint=digest(mark),
                computed_at=now(),
                visit_count=len(judged.visits),
                payload=payload,
                working_fingerprint=None,
                working_since=None,
            )
            .execution_options(synchronize_session=False)
        )
        session.commit()
    except BaseException:
        session.rollback()
        _release(session, month, key)
        raise
    return "stored"


def work_out_open(session: AnySession, day: dt.date) -> dict[str, str]:
    """The month of ``day`` and the one before, whose records still change: what
    ``work_out`` did for each."""
    this = Month.of(day)
    return {str(m): work_out(session, m) for m in (this.previous(), this)}


def _release(session: AnySession, month: Month, key: str) -> None:
    try:
        session.execute(
            update(MonthFigures)
            .where(MonthFigures.month == str(month), MonthFigures.working_fingerprint == key)
            .values(working_fingerprint=None, working_since=None)
            .execution_options(synchronize_session=False)
        )
        session.commit()
    except Exception:  # the database may be what failed; the claim then expires
        session.rollback()


# -- reading, for the pages -------------------------------------------------------------------


def _inline_limit() -> int:
    return int(current_app.config.get("SUBSIDY_INLINE_VISITS", 20000))


def _ask_for(session: AnySession, month: Month, key: str) -> None:
    """Queue the month's working out unless a worker has already claimed these inputs."""
    claimed = session.execute(
        select(MonthFigures.working_fingerprint, MonthFigures.working_since).where(
            MonthFigures.month == str(month)
        )
    ).first()
    fresh_since = now() - dt.timedelta(seconds=CLAIM_S)
    if claimed is not None and claimed[0] == key and (claimed[1] or fresh_since) > fresh_since:
        return
    from carehub.core.enqueue import enqueue
    from carehub.subsidy.tasks import work_out_month

    enqueue(work_out_month, str(month))


def reconcile(session: AnySession, month: Month, settings: Settings) -> rc.Reconciliation:
    if not has_app_context():
        return rc.reconcile(session, month, settings)
    kept = month_cache.store()
    name = str(month)
    mark = month_cache.fingerprint(session, month, settings)
    if mark[0] == "locked":  # type: ignore[index]
        entry = kept.get(name, mark)
        if entry is None:
            entry = month_cache.Entry(mark, now(), snapshot=rc.reconcile(session, month, settings))
            kept.put(name, entry)
        assert entry.snapshot is not None
        # Adjustments booked to a locked month can still arrive from the month before.
        fresh = rc.adjustments_of(session, month)
        return replace(entry.snapshot, adjustments=fresh, computed_at=entry.computed_at)

    key = digest(mark)
    stale = False
    entry = kept.get(name, key)
    if entry is None:
        stored = session.execute(
            select(MonthFigures.fingerprint, MonthFigures.computed_at).where(
                MonthFigures.month == name, MonthFigures.payload.is_not(None)
            )
        ).first()
        if stored is not None and stored.fingerprint == key:
            entry = _load(session, month, key)
        elif _visit_count(mark) <= _inline_limit():
            entry = month_cache.Entry(key, now(), rc.judge_month(session, month, settings))
            kept.put(name, entry)
        else:
            _ask_for(session, month, key)
            if stored is None:
                raise MonthPending()
            stale = True
            entry = kept.get(name, stored.fingerprint) or _load(session, month, stored.fingerprint)
    if entry is None or entry.judged is None:
        raise MonthPending()
    result = rc.assemble(session, entry.judged)
    return replace(result, computed_at=entry.computed_at, stale=stale)


def _load(session: AnySession, month: Month, key: str) -> month_cache.Entry | None:
    row = session.execute(
        select(MonthFigures.fingerprint, MonthFigures.computed_at, MonthFigures.payload).where(
            MonthFigures.month == str(month)
        )
    ).first()
    if row is None or row.fingerprint != key or row.payload is None:
        return None
    judged = decode(row.payload, month)
    if judged is None:
        return None
    entry = month_cache.Entry(key, row.computed_at, judged)
    month_cache.store().put(str(month), entry)
    return entry
