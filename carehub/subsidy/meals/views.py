"""The month's per-meal subsidies per canteen and operator, and their export."""

from __future__ import annotations

from flask import Response, abort, render_template
from flask.typing import ResponseReturnValue

from carehub.core import spreadsheets
from carehub.core.permissions import roles_required
from carehub.extensions import db
from carehub.subsidy.meals.services import export_rows, meal_month
from carehub.subsidy.reports.exports import MIMETYPES
from carehub.subsidy.views import AUDIT, _month, bp


@bp.route("/<month>/meals")
@roles_required(*AUDIT)
def meals(month: str) -> ResponseReturnValue:
    m = _month(month)
    return render_template("subsidy/meals.html", month=m, found=meal_month(db.session, m))


@bp.route("/<month>/meals.<fmt>")
@roles_required(*AUDIT)
def meals_export(month: str, fmt: str) -> ResponseReturnValue:
    m = _month(month)
    rows = export_rows(meal_month(db.session, m))
    if fmt == "csv":
        data = spreadsheets.csv_bytes(rows)
    elif fmt == "xlsx":
        data = spreadsheets.xlsx_bytes(f"meals {m}", rows)
    else:
        abort(404)
    return Response(
        data,
        mimetype=MIMETYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="meals-{m}.{fmt}"'},
    )
