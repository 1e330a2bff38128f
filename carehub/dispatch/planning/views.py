"""The dispatcher's planning screen: start a run, follow its progress, read the result
(figures, timeline, route map) and publish it.

A dispatcher tied to a station sees and plans only runs of that one station.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from carehub.core.enums import Role, VisitStatus
from carehub.core.errors import ConflictError, DomainError
from carehub.core.permissions import roles_required
from carehub.core.scope import station_scope
from carehub.core.time import local_today
from carehub.dispatch.models import Visit
from carehub.dispatch.planning import runner
from carehub.dispatch.planning import shortfall as planning_shortfall
from carehub.dispatch.planning.kpis import COMPARED, difference, previous_run, verdict
from carehub.dispatch.planning.models import ACTIVE, PlanningRun
from carehub.dispatch.planning.publish import newer_run, publish_run
from carehub.dispatch.planning.result import map_data, placed_visits, timeline_for
from carehub.dispatch.planning.services import PlanningError
from carehub.dispatch.reasons import reason_text
from carehub.extensions import db
from carehub.registry.models import ServiceType, Station

bp = Blueprint("planning", __name__)
dispatchers = roles_required(Role.DISPATCHER, Role.ADMIN)
bp.add_app_template_filter(reason_text, "unassigned_reason")
RUNS_SHOWN = 30
# A run over more stations than this draws one station's timeline and map at a time.
DRAWN_STATIONS = 10
TIME_LIMIT_RANGE = (1.0, 600.0)
DEFAULT_TIME_LIMIT_S = 20.0


class InputError(Exception):
    def __init__(self, field: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.field, self.status = field, status


def _scope_code() -> str | None:
    scope = station_scope(current_user)
    if scope is None:
        return None
    station = db.session.get(Station, scope)
    return station.code if station is not None else ""


def _visible(run: PlanningRun) -> bool:
    code = _scope_code()
    return code is None or list(run.stations) == [code]


def _run(run_id: int) -> PlanningRun:
    """The run, shown as failed if the process solving it died."""
    run = db.session.get(PlanningRun, run_id)
    if run is None or not _visible(run):
        abort(404)
    if run.status in ACTIVE and runner.expire_stale(db.session):
        db.session.commit()
    return run


def _stations() -> list[Station]:
    code = _scope_code()
    query = select(Station).where(Station.active.is_(True)).order_by(Station.code)
    if code is not None:
        query = query.where(Station.code == code)
    return list(db.session.scalars(query))


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.is_json


def _form_values() -> tuple[dt.date, list[str], float]:
    values = request.get_json(silent=True) if request.is_json else None
    values = values if isinstance(values, dict) else None
    text = str((values or request.form).get("date", "") or "").strip()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise InputError("date", _("Date: give a date as YYYY-MM-DD.")) from None
    raw = values.get("stations", []) if values else request.form.getlist("stations")
    codes = sorted({str(c).strip() for c in (raw if isinstance(raw, list) else [raw]) if c})
    if not codes:
        raise InputError("stations", _("Stations: choose at least one station."))
    scope = _scope_code()
    if scope is not None and codes != [scope]:
        raise InputError("stations", _("Stations: you may plan only your own station."), 403)
    limit_text = str((values or request.form).get("time_limit", "") or "").strip()
    limit = DEFAULT_TIME_LIMIT_S
    if limit_text:
        try:
            limit = float(limit_text)
        except ValueError:
            limit = -1.0
        low, high = TIME_LIMIT_RANGE
        if not low <= limit <= high:
            raise InputError(
                "time_limit",
                _("Time limit: give seconds from %(low)d to %(high)d.", low=low, high=high),
            )
    return day, codes, limit


def _index_page(
    status: int = 200, error: str = "", form: dict[str, Any] | None = None
) -> ResponseReturnValue:
    runner.expire_stale(db.session)
    db.session.commit()
    code = _scope_code()
    runs = [
        r
        for r in db.session.scalars(
            select(PlanningRun).order_by(PlanningRun.id.desc()).limit(RUNS_SHOWN * 4)
        )
        if code is None or list(r.stations) == [code]
    ][:RUNS_SHOWN]
    form = form or {"date": local_today().isoformat(), "stations": [], "time_limit": ""}
    return render_template(
        "planning/index.html",
        runs=runs,
        stations=_stations(),
        form=form,
        error=error,
        default_limit=DEFAULT_TIME_LIMIT_S,
    ), status


@bp.route("/")
@dispatchers
def index() -> ResponseReturnValue:
    return _index_page()


@bp.route("/", methods=["POST"])
@dispatchers
def start() -> ResponseReturnValue:
    form = {
        "date": request.form.get("date", ""),
        "stations": request.form.getlist("stations"),
        "time_limit": request.form.get("time_limit", ""),
    }
    try:
        day, codes, limit = _form_values()
        run = runner.queue_run(db.session, day, codes, limit, current_user.username)
    except InputError as exc:
        db.session.rollback()
        if _wants_json():
            return jsonify({"error": str(exc), "field": exc.field}), exc.status
        return _index_page(exc.status, str(exc), form)
    except PlanningError as exc:
        db.session.rollback()
        message = _("Stations: %(error)s", error=str(exc))
        if _wants_json():
            return jsonify({"error": message, "field": "stations"}), 400
        return _index_page(400, message, form)
    except runner.RunConflict as exc:
        message = _(
            "Run %(id)d for %(date)s is still planning these stations; wait for it to finish.",
            id=exc.run.id,
            date=exc.run.service_date.isoformat(),
        )
        if _wants_json():
            url = url_for("planning.run_page", run_id=exc.run.id)
            return jsonify({"error": message, "run": exc.run.id, "url": url}), 409
        return _index_page(409, message, form)
    runner.launch(run.id)
    url = url_for("planning.run_page", run_id=run.id)
    if _wants_json():
        status_url = url_for("planning.run_status", run_id=run.id)
        return jsonify({"run": run.id, "url": url, "status_url": status_url}), 202
    return redirect(url, code=303)


def error_text(run: PlanningRun) -> str:
    """The run's stored English message, in the page's language."""
    message = run.error or ""
    known = {
        runner.STALE: _("The run stopped responding (the server may have restarted)."),
        runner.BROKE_RULE: _("The plan broke a hard rule and was not stored."),
    }
    if message in known:
        return known[message]
    prefix = runner.CRASHED.split("%(", 1)[0]
    if message.startswith(prefix):
        return _("The run failed: %(error)s", error=message[len(prefix) :])
    return message


def _status_json(run: PlanningRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "status": run.status,
        "active": run.status in ACTIVE,
        "done": run.progress_done,
        "total": run.progress_total,
        "error": error_text(run) if run.error else None,
        "visits_planned": run.visits_planned,
        "unassigned": len(run.unassigned or []),
    }


@bp.route("/runs/<int:run_id>/status.json")
@dispatchers
def run_status(run_id: int) -> ResponseReturnValue:
    run = _run(run_id)
    return jsonify(_status_json(run))


def _shown_stations(run: PlanningRun) -> list[str]:
    """The stations whose timeline and map the page draws: all of a run's few stations, or
    the one asked for, since a city-wide run's thousands of routes fit no screen."""
    chosen = request.args.get("station", "").strip()
    if chosen:
        if chosen not in run.stations:
            raise DomainError(_("Station %(code)s is not part of this run.", code=chosen))
        return [chosen]
    if len(run.stations) <= DRAWN_STATIONS:
        return list(run.stations)
    return list(run.stations[:1])


def _still_unassigned(
    listed: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], int]:
    """The run's unassigned requests that still have no visit, and how many got one since
    (a hand-over, a move, an emergency): the list and the timeline then tell one story."""
    ids = {int(u["request_id"]) for u in listed}
    served = (
        set(
            db.session.scalars(
                select(Visit.request_id).where(
                    Visit.request_id.in_(ids), Visit.status != VisitStatus.CANCELLED
                )
            )
        )
        if ids
        else set()
    )
    still = [u for u in listed if int(u["request_id"]) not in served]
    return still, len(listed) - len(still)


@bp.route("/runs/<int:run_id>")
@dispatchers
def run_page(run_id: int) -> ResponseReturnValue:
    run = _run(run_id)
    kpis = run.kpis or {}
    before = previous_run(db.session, run) if kpis else None
    unassigned, placed_since = _still_unassigned(kpis.get("unassigned_list", []))
    services = {
        s.id: s
        for s in db.session.scalars(
            select(ServiceType).where(
                ServiceType.id.in_({u["service_type_id"] for u in unassigned})
            )
        )
    }
    show_result = bool(kpis) and run.status not in ACTIVE
    codes = _shown_stations(run)
    visits = placed_visits(db.session, run, codes) if show_result else []
    return render_template(
        "planning/run.html",
        run=run,
        kpis=kpis,
        before=before,
        diff=difference(kpis, before.kpis if before else None),
        compared=COMPARED,
        verdict=verdict,
        unassigned=unassigned,
        # A city-wide run's advice runs to hundreds of lines: shown for the drawn stations.
        shortfall=planning_shortfall.lines(
            db.session, run.shortfall, codes if len(run.stations) > DRAWN_STATIONS else None
        )
        if show_result
        else [],
        placed_since=placed_since,
        services=services,
        error=error_text(run),
        timeline=timeline_for(db.session, run, visits, codes) if show_result else None,
        map=map_data(db.session, run, visits, codes) if show_result else None,
        shown_stations=codes,
        drawn_stations=DRAWN_STATIONS,
        station_names={
            code: name
            for code, name in db.session.execute(
                select(Station.code, Station.name).where(Station.code.in_(run.stations))
            )
        },
        newer=newer_run(db.session, run) if show_result else None,
        tile_url=current_app.config.get("MAP_TILE_URL", ""),
        status=_status_json(run),
    )


@bp.route("/runs/<int:run_id>/publish", methods=["POST"])
@dispatchers
def publish(run_id: int) -> ResponseReturnValue:
    run = _run(run_id)
    try:
        count = publish_run(db.session, run, current_user.username)
    except ConflictError as exc:
        db.session.rollback()
        if _wants_json():
            return jsonify({"error": str(exc)}), 409
        flash(str(exc), "error")
        return redirect(url_for("planning.run_page", run_id=run.id), code=303)
    db.session.commit()
    if _wants_json():
        return jsonify({"run": run.id, "status": run.status, "published": count})
    flash(_("Published %(count)d visits to the caregivers.", count=count), "success")
    return redirect(url_for("planning.run_page", run_id=run.id), code=303)
