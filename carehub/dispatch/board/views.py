"""The dispatcher's live board (a page and the JSON it refreshes itself from) and the
"caregiver called in sick" re-planning: preview, then confirm."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from carehub.core.enums import Role, VisitStatus, label
from carehub.core.errors import ConflictError, DomainError, FieldError
from carehub.core.permissions import roles_required
from carehub.core.scope import station_scope
from carehub.core.time import format_local, local_today, now
from carehub.dispatch.board import services as board
from carehub.dispatch.board import sick
from carehub.dispatch.moves import timeline as day_timeline
from carehub.extensions import db
from carehub.registry.models import Caregiver, Station

bp = Blueprint("board", __name__)
dispatchers = roles_required(Role.DISPATCHER, Role.ADMIN)
ID_MARK = 987654321


def _day(name: str = "day") -> dt.date:
    text = request.values.get(name, "").strip()
    if not text:
        return local_today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise FieldError(name, _("The date must look like 2026-11-23.")) from None


def _int(name: str) -> int | None:
    text = request.values.get(name, "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise FieldError(name, _("%(field)s must be a whole number.", field=name)) from None


def _station_id() -> int | None:
    """The station asked for, or the dispatcher's own; another station's is refused."""
    scope = station_scope(current_user)
    wanted = _int("station_id")
    if scope is not None:
        if wanted not in (None, scope):
            abort(403)
        return int(scope)
    return wanted


def _stations() -> list[Station]:
    scope = station_scope(current_user)
    stmt = select(Station).order_by(Station.code)
    if scope is not None:
        stmt = stmt.where(Station.id == scope)
    return list(db.session.scalars(stmt))


def _current_board() -> board.Board:
    return board.build(
        db.session,
        _day(),
        now(),
        board.Graces.from_config(),
        station_id=_station_id(),
        page=_int("page") or 1,
    )


def _hhmm(value: dt.datetime | None) -> str:
    return format_local(value, "%H:%M")


def _row(row: board.Row) -> dict[str, Any]:
    return {
        "visit_id": row.visit_id,
        "request_id": row.request_id,
        "state": row.state,
        "status": row.status,
        "elder": {
            "id": row.elder_id,
            "name": row.elder_name,
            "code": row.elder_code,
            "phone": row.elder_phone,
        },
        "station_id": row.station_id,
        "caregiver": (
            {"id": row.caregiver_id, "name": row.caregiver_name, "phone": row.caregiver_phone}
            if row.caregiver_id is not None
            else None
        ),
        "window": f"{row.window_start:%H:%M}-{row.window_end:%H:%M}",
        "planned_start": _hhmm(row.planned_start),
        "check_in_at": _hhmm(row.check_in_at),
        "lent": row.lent,
    }


def _waiting(item: board.Waiting) -> dict[str, Any]:
    return {
        "request_id": item.request_id,
        "elder": {
            "id": item.elder_id,
            "name": item.elder_name,
            "code": item.elder_code,
            "phone": item.elder_phone,
        },
        "station_id": item.station_id,
        "service": item.service_code,
        "window": f"{item.window_start:%H:%M}-{item.window_end:%H:%M}",
        "priority": item.priority,
    }


def _pattern(endpoint: str, **values: Any) -> str:
    """The address of ``endpoint`` with ``{}`` where the id goes, built once per page."""
    return url_for(endpoint, **values).replace(str(ID_MARK), "{}")


def _partial(data: board.Board) -> str:
    names = {s.id: s.name for s in data.stations}
    day = data.day.isoformat()
    urls = {
        "elder": _pattern("registry.elder", elder_id=ID_MARK),
        "sick": _pattern("board.sick_form", caregiver_id=ID_MARK, day=day),
        "station": _pattern("board.page", station_id=ID_MARK, day=day),
        "visit": _pattern("moves.visit", visit_id=ID_MARK),
    }
    return render_template(
        "board/_board.html",
        board=data,
        station_names=names,
        urls=urls,
        labels={s.value: label(s) for s in VisitStatus},
    )


def _timeline(data: board.Board) -> str | None:
    """One station's routes as the day timeline, drawn by the page and by every refresh
    alike (the same builder and template part); None on the all-stations board."""
    if data.station_id is None or not data.stations:
        return None
    code = data.stations[0].code
    found = day_timeline.build(db.session, data.day, code, station_scope(current_user))
    if found is None:
        return None
    return render_template("moves/_day_timeline.html", day=found)


@bp.route("/board")
@dispatchers
def page() -> ResponseReturnValue:
    data = _current_board()
    return render_template(
        "board/board.html",
        board=data,
        timeline=_timeline(data),
        body=_partial(data),
        stations=_stations(),
        refresh_s=int(current_app.config["BOARD_REFRESH_S"]),
        updated_at=format_local(data.now, "%H:%M:%S"),
    )


@bp.route("/board.json")
@dispatchers
def refresh() -> ResponseReturnValue:
    data = _current_board()
    return jsonify(
        {
            "day": data.day.isoformat(),
            "station_id": data.station_id,
            "updated_at": data.now.isoformat(),
            "updated_at_local": format_local(data.now, "%H:%M:%S"),
            "totals": data.totals.as_dict(),
            "stations": [
                {"id": s.id, "code": s.code, "name": s.name, "counts": s.counts.as_dict()}
                for s in data.stations
            ],
            "rows": [_row(r) for r in data.rows],
            "unassigned": [_waiting(w) for w in data.unassigned],
            "page": data.page,
            "pages": data.pages,
            "html": _partial(data),
            # Asked for while the page shows it unfolded: it costs more than the rows.
            "timeline_html": _timeline(data) if request.args.get("timeline") == "1" else None,
        }
    )


def _caregiver(caregiver_id: int | None) -> Caregiver:
    if caregiver_id is None:
        raise FieldError("caregiver_id", _("Choose the caregiver."))
    found = db.session.get(Caregiver, caregiver_id)
    scope = station_scope(current_user)
    if found is None or (scope is not None and found.station_id != scope):
        raise FieldError("caregiver_id", _("No caregiver of your station has this id."))
    return found


def _caregivers(chosen: Caregiver | None) -> list[Caregiver]:
    """The choice: the user's station, or the chosen caregiver's (a city has a thousand)."""
    scope = station_scope(current_user)
    stmt = select(Caregiver).where(Caregiver.active.is_(True)).order_by(Caregiver.code)
    if scope is not None:
        stmt = stmt.where(Caregiver.station_id == scope)
    elif chosen is not None:
        stmt = stmt.where(Caregiver.station_id == chosen.station_id)
    return list(db.session.scalars(stmt))


def _sick_page(
    caregiver: Caregiver | None,
    day: dt.date,
    plan: sick.SickPlan | None,
    errors: dict[str, str],
    done: bool = False,
    status: int = 200,
) -> tuple[str, int]:
    page = render_template(
        "board/sick.html",
        caregivers=_caregivers(caregiver),
        caregiver=caregiver,
        day=day,
        preview=plan,
        done=done,
        errors=errors,
    )
    return page, status


@bp.route("/sick", methods=["GET", "POST"])
@dispatchers
def sick_form() -> ResponseReturnValue:
    """Pick the caregiver and day; the GET with a caregiver previews, the POST confirms."""
    errors: dict[str, str] = {}
    caregiver: Caregiver | None = None
    day = local_today()
    try:
        # The day comes from the link (the board's day) before anything else is chosen.
        day = _day()
        if request.method == "GET" and not request.args.get("caregiver_id"):
            return _sick_page(None, day, None, errors)
        caregiver = _caregiver(_int("caregiver_id"))
        if request.method == "GET":
            return _sick_page(caregiver, day, sick.preview(db.session, caregiver, day, now()), {})
        token = request.form.get("token", "")
        result = sick.apply(db.session, caregiver, day, now(), token)
        db.session.commit()
    except FieldError as exc:
        db.session.rollback()
        errors[exc.field] = str(exc)
        return _sick_page(caregiver, day, None, errors, status=400)
    except ConflictError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        assert caregiver is not None
        fresh = sick.preview(db.session, caregiver, day, now())
        return _sick_page(caregiver, day, fresh, errors, status=409)
    except DomainError as exc:
        db.session.rollback()
        errors["caregiver_id"] = str(exc)
        return _sick_page(caregiver, day, None, errors, status=400)
    flash(
        _(
            "%(moved)d visits of %(name)s handed over, %(left)d left unassigned.",
            moved=len(result.placed),
            name=caregiver.name,
            left=len(result.unplaced),
        ),
        "success",
    )
    return _sick_page(caregiver, day, result, errors, done=True)
