"""The month's per-meal subsidies per canteen and operator, and their export."""

from __future__ import annotations

import csv
import io

from flask import Response, abort, render_template

from carehub.core.permissions import roles_required
from carehub.extensions import db
from carehub.subsidy.meals.services import export_rows, meal_month
from carehub.subsidy.reports.exports import MIMETYPES
from carehub.subsidy.views import AUDIT, _month, bp


@bp.route("/<month>/meals")
@roles_required(*AUDIT)
def meals(month: str):  # type: ignore[no-untyped-def]
    m = _month(month)
    return render_template("subsidy/meals.html", month=m, found=meal_month(db.session, m))


@bp.route("/<month>/meals.<fmt>")
@roles_required(*AUDIT)
def meals_export(month: str, fmt: str):  # type: ignore[no-untyped-def]
    m = _month(month)
    rows = export_rows(meal_month(db.session, m))
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        csv.writer(buffer).writerows(rows)
        data = buffer.getvalue().encode("utf-8-sig")
    elif fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(f"meals {m}")
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
    else:
        abort(404)
    return Response(
        data,
        mimetype=MIMETYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="meals-{m}.{fmt}"'},
    )
