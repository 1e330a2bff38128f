"""The civil-affairs bureau's read-only dashboard, its printable report and XLSX file."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import gettext as _

from carehub.bureau import report
from carehub.bureau.figures import Figures, Period, PeriodError, compute
from carehub.core.enums import Role, label
from carehub.core.errors import DomainError
from carehub.core.permissions import roles_required
from carehub.core.time import local_today
from carehub.extensions import db
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


def _figures(period: Period) -> Figures:
    return compute(
        db.session,
        period,
        local_today(),
        int(current_app.config["ASSESSMENT_INTERVAL_MONTHS"]),
    )


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
    }


@bp.route("/")
@roles_required(*READERS)
def index():  # type: ignore[no-untyped-def]
    period = _period(request.args.get("period"))
    f = _figures(period)
    return render_template("bureau/dashboard.html", f=f, charts=_charts(f), printable=False)


@bp.route("/print")
@roles_required(*READERS)
def printable():  # type: ignore[no-untyped-def]
    period = _period(request.args.get("period"))
    f = _figures(period)
    return render_template("bureau/dashboard.html", f=f, charts=_charts(f), printable=True)


@bp.route("/report.xlsx")
@roles_required(*READERS)
def xlsx():  # type: ignore[no-untyped-def]
    period = _period(request.args.get("period"))
    body = report.xlsx(_figures(period))
    return Response(
        body,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="carehub-{period.text}.xlsx"'},
    )
