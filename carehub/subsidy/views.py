"""Auditor pages: the month's reconciliation, flagged visits with their evidence, reviews,
locking, exports, the printable summary, and the policies."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from carehub.core import audit
from carehub.core.enums import Role
from carehub.core.errors import FieldError
from carehub.core.permissions import roles_required
from carehub.core.time import local_today
from carehub.dispatch.models import Visit
from carehub.extensions import db
from carehub.outcomes import record
from carehub.registry.models import Elder, Station
from carehub.subsidy import labels
from carehub.subsidy.models import Adjustment, MonthLock, SubsidyPolicy
from carehub.subsidy.months import Month
from carehub.subsidy.policy.forms import PolicyForm
from carehub.subsidy.policy.services import add_policy, end_policy
from carehub.subsidy.reconciliation import locking
from carehub.subsidy.reconciliation.reconcile import Reconciliation, reconcile, reviewable_ids
from carehub.subsidy.reconciliation.rules import FLAGGED, current_settings
from carehub.subsidy.reports import charts
from carehub.subsidy.reports.exports import FORMATS, LAYOUTS, MIMETYPES, SCOPES, export_bytes
from carehub.subsidy.review import evidence
from carehub.subsidy.review import services as reviews
from carehub.web import yuan

bp = Blueprint("subsidy", __name__)
AUDIT = (Role.AUDITOR, Role.ADMIN)
PER_PAGE = 50
LOCK_LISTED = 200  # unreviewed visits named on the lock page; the count covers all


@bp.app_template_filter("reason")
def _reason(code: str) -> str:
    return labels.reason(code)


@bp.app_template_filter("outcome")
def _outcome(code: str | None) -> str:
    return labels.status(code)


@bp.context_processor
def _export_links() -> dict[str, object]:
    # The month navigation links every export, on every subsidy page.
    return {"subsidy_scopes": SCOPES, "subsidy_formats": FORMATS}


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError:
        abort(404)


def _page() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


def _result(month: Month) -> Reconciliation:
    result = reconcile(db.session, month, cached=True)
    code = request.args.get("station", "").strip()
    if code:
        station_id = db.session.scalar(select(Station.id).where(Station.code == code))
        if station_id is None:
            abort(404)
        result = result.only_station(station_id)
    return result


@bp.route("/")
@roles_required(*AUDIT)
def index() -> ResponseReturnValue:
    this = Month.of(local_today())
    months = [this]
    for _i in range(11):
        months.append(months[-1].previous())
    locks = {
        lock.month: lock
        for lock in db.session.scalars(select(MonthLock).where(MonthLock.month >= str(months[-1])))
    }
    return render_template("subsidy/index.html", months=months, locks=locks)


@bp.route("/<month>")
@roles_required(*AUDIT)
def month_page(month: str) -> ResponseReturnValue:
    m = _month(month)
    result = _result(m)
    page = _page()
    elders = result.elders[(page - 1) * PER_PAGE : page * PER_PAGE]
    pages = max(1, -(-len(result.elders) // PER_PAGE))
    lock = db.session.scalar(select(MonthLock).where(MonthLock.month == str(m)))
    adjustments = db.session.scalars(
        select(Adjustment).where(Adjustment.month == str(m)).order_by(Adjustment.id)
    ).all()
    codes = {line.elder_id: line.elder_code for line in result.elders}
    shown = [line.elder_id for line in elders]
    elder_names = {
        eid: name
        for eid, name in db.session.execute(select(Elder.id, Elder.name).where(Elder.id.in_(shown)))
    }
    return render_template(
        "subsidy/month.html",
        elder_names=elder_names,
        month=m,
        result=result,
        elders=elders,
        page=page,
        pages=pages,
        lock=lock,
        ended=m.last < local_today(),
        adjustments=adjustments,
        codes=codes,
        pending=result.totals().visits[FLAGGED],
        station=request.args.get("station", ""),
    )


@bp.route("/<month>/flagged")
@roles_required(*AUDIT)
def flagged(month: str) -> ResponseReturnValue:
    m = _month(month)
    result = _result(m)
    reason = request.args.get("reason") or None
    if reason is not None and reason not in labels.REASONS:
        abort(404)
    pending_only = request.args.get("show") != "all"
    ids = reviewable_ids(result, reason)
    if pending_only:
        ids = [vid for vid in ids if result.visits[vid].status == FLAGGED]
    page = _page()
    shown = ids[(page - 1) * PER_PAGE : page * PER_PAGE]
    visits = {v.id: v for v in db.session.scalars(select(Visit).where(Visit.id.in_(shown)))}
    counts: dict[str, int] = {}
    for vid in reviewable_ids(result):
        for code in result.visits[vid].reasons:
            counts[code] = counts.get(code, 0) + 1
    return render_template(
        "subsidy/flagged.html",
        month=m,
        result=result,
        rows=[(visits[vid], result.visits[vid]) for vid in shown],
        total=len(ids),
        page=page,
        pages=max(1, -(-len(ids) // PER_PAGE)),
        reason=reason,
        pending_only=pending_only,
        counts=counts,
        reasons=labels.REASONS,
    )


@bp.route("/<month>/bulk", methods=["POST"])
@roles_required(*AUDIT)
def bulk(month: str) -> ResponseReturnValue:
    m = _month(month)
    ids = [int(v) for v in request.form.getlist("visit_ids") if v.isdigit()]
    result = reconcile(db.session, m, cached=True)
    if any(vid not in result.visits for vid in ids):
        abort(404)
    try:
        done = reviews.review_many(
            db.session,
            ids,
            request.form.get("decision", ""),
            request.form.get("reason", ""),
            current_user.id,
        )
    except FieldError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("subsidy.flagged", month=str(m))), 303
    db.session.commit()
    flash(_("%(count)s visit(s) reviewed.", count=len(done)), "success")
    return redirect(url_for("subsidy.flagged", month=str(m))), 303


def _unreviewed(m: Month) -> tuple[list[tuple[Visit, Any]], int]:
    """The month's flagged visits nobody decided yet, and their value in fen."""
    result = _result(m)
    pending = [o for o in result.visits.values() if o.status == FLAGGED]
    pending.sort(key=lambda o: (o.day, o.visit_id))
    ids = [o.visit_id for o in pending]
    rows = (
        {v.id: v for v in db.session.scalars(select(Visit).where(Visit.id.in_(ids)))} if ids else {}
    )
    return [(rows[o.visit_id], o) for o in pending if o.visit_id in rows], sum(
        o.value_fen for o in pending
    )


@bp.route("/<month>/lock", methods=["GET"])
@roles_required(*AUDIT)
def lock_confirm(month: str) -> ResponseReturnValue:
    """Locking is final for the month: first say what is still unreviewed."""
    m = _month(month)
    rows, amount = _unreviewed(m)
    return render_template(
        "subsidy/lock_confirm.html",
        month=m,
        rows=rows[:LOCK_LISTED],
        count=len(rows),
        amount=amount,
        reasons=labels.REASONS,
        ended=m.last < local_today(),
    )


@bp.route("/<month>/lock", methods=["POST"])
@roles_required(*AUDIT)
def lock(month: str) -> ResponseReturnValue:
    m = _month(month)
    if request.form.get("confirm") != "1":
        flash(_("Confirm the lock on this page first."), "error")
        return redirect(url_for("subsidy.lock_confirm", month=str(m))), 303
    try:
        locking.lock_month(db.session, m, current_user.id)
    except FieldError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("%(month)s is locked.", month=m), "success")
    return redirect(url_for("subsidy.month_page", month=str(m))), 303


@bp.route("/<month>/unlock", methods=["POST"])
@roles_required(Role.ADMIN)
def unlock(month: str) -> ResponseReturnValue:
    m = _month(month)
    try:
        locking.unlock_month(db.session, m, request.form.get("reason", ""), current_user.id)
    except FieldError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("%(month)s is unlocked.", month=m), "success")
    return redirect(url_for("subsidy.month_page", month=str(m))), 303


@bp.route("/<month>/export/<scope>.<fmt>")
@roles_required(*AUDIT)
def export(month: str, scope: str, fmt: str) -> ResponseReturnValue:
    m = _month(month)
    layout = request.args.get("layout", "report")
    if scope not in SCOPES or fmt not in FORMATS or layout not in LAYOUTS:
        abort(404)
    result = _result(m)
    names: dict[int, str] = {}
    if layout == "report" and scope == "elders":
        ids = [line.elder_id for line in result.elders]
        found = db.session.execute(select(Elder.id, Elder.name).where(Elder.id.in_(ids)))
        names = {eid: name for eid, name in found}
    data = export_bytes(result, scope, fmt, layout, names)
    suffix = "" if layout == "report" else "-data"
    audit.record(db.session, "export", "SubsidyMonth", note=f"subsidy-{m}-{scope}{suffix}.{fmt}")
    db.session.commit()
    return Response(
        data,
        mimetype=MIMETYPES[fmt],
        headers={"Content-Disposition": f"attachment; filename=subsidy-{m}-{scope}{suffix}.{fmt}"},
    )


@bp.route("/<month>/summary")
@roles_required(*AUDIT)
def summary(month: str) -> ResponseReturnValue:
    m = _month(month)
    result = _result(m)
    stations = result.by_station()
    by_station = sorted(
        ((s.label or "—", s.payable_fen) for s in stations), key=lambda item: -item[1]
    )
    reasons: dict[str, int] = {}
    for visit in result.visits.values():
        for code in visit.reasons:
            reasons[code] = reasons.get(code, 0) + 1
    flags = sorted(((labels.reason(c), n) for c, n in reasons.items()), key=lambda i: -i[1])
    trend_months = [m]
    for _i in range(5):
        trend_months.insert(0, trend_months[0].previous())
    trend = [
        (str(t), reconcile(db.session, t, cached=True).totals().payable_fen) for t in trend_months
    ]
    return render_template(
        "subsidy/summary.html",
        month=m,
        result=result,
        totals=result.totals(),
        stations=stations,
        providers=result.by_provider(),
        chart_stations=charts.bars(by_station, lambda f: yuan(f), _("Payable by station")),
        chart_flags=charts.bars(flags, str, _("Flags by reason")),
        chart_trend=charts.columns(trend, lambda f: yuan(f), _("Payable month by month")),
    )


@bp.route("/visits/<int:visit_id>")
@roles_required(*AUDIT)
def visit(visit_id: int) -> ResponseReturnValue:
    found = db.session.get(Visit, visit_id)
    if found is None:
        abort(404)
    m = Month.of(found.request.service_date)
    result = reconcile(db.session, m, cached=True)
    outcome = result.visits.get(visit_id)
    elder = found.request.elder
    home = (elder.lat, elder.lon) if elder.lat is not None and elder.lon is not None else None
    points = []
    if found.check_in_lat is not None and found.check_in_lon is not None:
        points.append(evidence.Point(_("In"), "fix-in", (found.check_in_lat, found.check_in_lon)))
    if found.check_out_lat is not None and found.check_out_lon is not None:
        points.append(
            evidence.Point(_("Out"), "fix-out", (found.check_out_lat, found.check_out_lon))
        )
    radius = float(current_settings().params["far_from_home"]["radius_m"])
    review = db.session.scalar(
        select(reviews.VisitReview).where(reviews.VisitReview.visit_id == visit_id)
    )
    return render_template(
        "subsidy/visit.html",
        visit=found,
        record=record.build(db.session, found, str(get_locale() or "zh")),
        month=m,
        outcome=outcome,
        locked=result.locked,
        review=review,
        elder=elder,
        radius=radius,
        map=evidence.map_svg(home, radius, points, _("Check-in and check-out against home")),
        others=evidence.same_day_visits(db.session, found),
    )


@bp.route("/visits/<int:visit_id>/review", methods=["POST"])
@roles_required(*AUDIT)
def review(visit_id: int) -> ResponseReturnValue:
    found = db.session.get(Visit, visit_id)
    if found is None:
        abort(404)
    try:
        outcome = reviews.review(
            db.session,
            visit_id,
            request.form.get("decision", ""),
            request.form.get("reason", ""),
            current_user.id,
        )
    except FieldError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("subsidy.visit", visit_id=visit_id)), 303
    db.session.commit()
    if outcome.adjustment is not None:
        flash(
            _(
                "The month is locked: an adjustment of %(amount)s yuan was booked to %(month)s.",
                amount=yuan(outcome.adjustment.amount_fen),
                month=outcome.adjustment.month,
            ),
            "success",
        )
    else:
        flash(_("Decision saved."), "success")
    return redirect(url_for("subsidy.visit", visit_id=visit_id)), 303


@bp.route("/policies")
@roles_required(*AUDIT)
def policies() -> ResponseReturnValue:
    rows = db.session.scalars(select(SubsidyPolicy).order_by(SubsidyPolicy.effective_from)).all()
    return render_template("subsidy/policies.html", policies=rows, kinds=labels.KINDS, errors={})


@bp.route("/policies/<int:policy_id>/end", methods=["POST"])
@roles_required(Role.ADMIN)
def policy_end(policy_id: int) -> ResponseReturnValue:
    if db.session.get(SubsidyPolicy, policy_id) is None:
        abort(404)
    text = request.form.get("effective_to", "").strip()
    try:
        day = dt.date.fromisoformat(text) if text else None
    except ValueError:
        day, error = None, _("Not a date: %(value)s", value=text)
    else:
        error = None
    if error is None:
        try:
            end_policy(db.session, policy_id, day)
        except FieldError as exc:
            error = str(exc)
    if error is not None:
        db.session.rollback()
        rows = db.session.scalars(
            select(SubsidyPolicy).order_by(SubsidyPolicy.effective_from)
        ).all()
        page = render_template(
            "subsidy/policies.html",
            policies=rows,
            kinds=labels.KINDS,
            errors={policy_id: error},
        )
        return page, 422
    db.session.commit()
    flash(_("Policy ends on %(day)s.", day=day), "success")
    return redirect(url_for("subsidy.policies")), 303


@bp.route("/policies/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def policy_new() -> ResponseReturnValue:
    form = PolicyForm()
    if form.validate_on_submit():
        assert form.effective_from.data is not None
        try:
            add_policy(
                db.session,
                form.effective_from.data,
                code=form.code.data.strip(),
                name=form.name.data.strip(),
                kind=form.kind.data,
                eligible_hardships=list(form.eligible_hardships.data or []),
                amount_mild_fen=form.amount_mild.fen or 0,
                amount_moderate_fen=form.amount_moderate.fen or 0,
                amount_severe_fen=form.amount_severe.fen or 0,
                age_bands=form.bands,
                supplement=form.supplement_value,
                hour_value_fen=form.hour_value.fen or 0,
                carry_over=bool(form.carry_over.data),
                level_tiers=form.level_tiers(),
                meal_elder_fen=form.meal_elder.fen or 0,
                meal_operator_fen=form.meal_operator.fen or 0,
                meal_daily_cap=form.meal_daily_cap.data or 1,
                meal_min_age=form.meal_min_age.data if form.meal_min_age.data is not None else 60,
                meal_max_age=form.meal_max_age.data or 200,
                note=form.note.data or None,
            )
        except FieldError as exc:
            db.session.rollback()
            getattr(form, exc.field).errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("Policy added."), "success")
            return redirect(url_for("subsidy.policies"))
    status = 422 if any(field.errors for field in form) else 200
    return render_template("subsidy/policy_form.html", form=form), status
