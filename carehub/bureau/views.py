"""The civil-affairs bureau's read-only dashboard, its printable report and XLSX file."""

from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from carehub.bureau import report
from carehub.bureau.figures import (
    Figures,
    Period,
    PeriodError,
    Scope,
    ScopeError,
    check_scope,
    compute,
    districts_of,
)
from carehub.core.enums import Role, label
from carehub.core.errors import DomainError
from carehub.core.permissions import roles_required
from carehub.core.time import local_today
from carehub.extensions import db
from carehub.registry.models import Station
from carehub.subsidy.months import Month
from carehub.subsidy.reports.charts import bars, columns

bp = Blueprint("bureau", __name__)

READERS = (Role.BUREAU, Role.ADMIN)


def _period(text: str | None) -> Period:
    try:
        return Period.parse(text or str(Month.of(local_today()).previous()))
    except PeriodError:
        raise DomainError(
            _("Give a month (2026-10), a quarter (2026-Q4) or a year (2026).")
        ) from None


def _scope() -> Scope:
    district = (request.args.get("district") or "").strip() or None
    station = (request.args.get("station") or "").strip() or None
    scope = Scope(district, station)
    try:
        check_scope(db.session, scope)
    except ScopeError:
        if station is not None and district is not None:
            message = _(
                "Station %(station)s is not in district %(district)s.",
                station=station,
                district=district,
            )
        elif station is not None:
            message = _("There is no station %(station)s.", station=station)
        else:
            message = _("No station is in district %(district)s.", district=district)
        raise DomainError(message) from None
    return scope


def _figures(period: Period, scope: Scope) -> Figures:
    return compute(
        db.session,
        period,
        local_today(),
        int(current_app.config["ASSESSMENT_INTERVAL_MONTHS"]),
        scope=scope,
    )


def _choices(scope: Scope) -> dict[str, object]:
    """The districts, and the stations of the chosen district (all when none is chosen)."""
    query = select(Station.code, Station.name).order_by(Station.code)
    if scope.district is not None:
        query = query.where(Station.district == scope.district)
    return {"districts": districts_of(db.session), "stations": db.session.execute(query).all()}


def _yuan(fen: int) -> str:
    return f"¥{fen / 100:,.2f}"


def _charts(f: Figures) -> dict[str, object]:
    return {
        "trend": columns(
            [(month[5:], fen) for month, fen in f.trend], _yuan, _("Payable by month")
        ),
        "services": bars(
            sorted(f.person_times.items(), key=lambda kv: -kv[1]), str, _("Person-times by service")
        ),
        "tiers": bars(
            [(label(tier), money.payable_fen) for tier, money in sorted(f.by_tier.items())],
            _yuan,
            _("Payable by care level"),
        ),
        "stations": bars(
            [(s.code, s.payable_fen) for s in f.stations], _yuan, _("Payable by station")
        ),
        "districts": bars(
            [(d.code or _("not given"), d.payable_fen) for d in f.districts],
            _yuan,
            _("Payable by district"),
        ),
        "served": bars(
            [(d.code or _("not given"), d.elders_served) for d in f.districts],
            str,
            _("Elders served by district"),
        ),
    }


def _page(printable: bool) -> ResponseReturnValue:
    period = _period(request.args.get("period"))
    scope = _scope()
    f = _figures(period, scope)
    return render_template(
        "bureau/dashboard.html",
        f=f,
        charts=_charts(f),
        printable=printable,
        choices=_choices(scope),
        query={"period": period.text, "district": scope.district, "station": scope.station_code},
    )


@bp.route("/")
@roles_required(*READERS)
def index() -> ResponseReturnValue:
    return _page(printable=False)


@bp.route("/print")
@roles_required(*READERS)
def printable() -> ResponseReturnValue:
    return _page(printable=True)


@bp.route("/report.xlsx")
@roles_required(*READERS)
def xlsx() -> ResponseReturnValue:
    period = _period(request.args.get("period"))
    scope = _scope()
    body = report.xlsx(_figures(period, scope))
    # The file name stays ASCII: a district's name travels inside the file, not in its name.
    station = re.sub(r"[^A-Za-z0-9_-]", "", scope.station_code or "")
    suffix = f"-{station}" if station else ("-district" if scope.district else "")
    return Response(
        body,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f'attachment; filename="carehub-{period.text}{suffix}.xlsx"'
        },
    )
