"""Registry pages: searchable lists, detail pages, and admin editing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from flask_wtf import FlaskForm
from sqlalchemy import Select, func, select

from carehub.core.enums import CareLevel, ElderStatus, Hardship, Role, choices
from carehub.core.errors import FieldError
from carehub.core.permissions import roles_required
from carehub.extensions import db
from carehub.registry import services
from carehub.registry.forms import (
    CaregiverForm,
    ElderForm,
    KitchenForm,
    ServiceTypeForm,
    StationForm,
)
from carehub.registry.models import Caregiver, CarePlan, Elder, Kitchen, ServiceType, Skill, Station
from carehub.registry.services import ElderFilter

bp = Blueprint("registry", __name__)

STAFF = (Role.ADMIN, Role.DISPATCHER, Role.AUDITOR)


@bp.app_template_filter("display_name")
def display_name(item: Any) -> str:
    """The name of a catalogue row (skill, service type) in the page's language."""
    if item is None:
        return ""
    english = str(get_locale() or "zh").startswith("en")
    return str(item.name_en if english else item.name_zh)


@bp.app_template_global("page_url")
def page_url(number: int) -> str:
    """This page's address with the same filters, at another page number."""
    args: dict[str, Any] = dict(request.view_args or {})
    args.update(request.args.to_dict())
    args["page"] = number
    return url_for(str(request.endpoint), **args)


def page_of(stmt: Select[Any]) -> Pagination:
    return db.paginate(
        stmt,
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )


def _scope() -> int | None:
    return services.station_scope(current_user)


def _in_scope(station_id: int | None) -> None:
    scope = _scope()
    if scope is not None and station_id != scope:
        abort(404)


def _get(model: Any, ident: int) -> Any:
    found = db.session.get(model, ident)
    if found is None:
        abort(404)
    return found


def _save_form(
    form: FlaskForm,
    save: Callable[[], Any],
    endpoint: str,
    id_arg: str,
    title: str,
    cancel: str,
) -> ResponseReturnValue:
    """Validate, call the service, commit once; otherwise show the form with its messages."""
    if form.validate_on_submit():
        try:
            saved = save()
        except FieldError as exc:
            db.session.rollback()
            form[exc.field].errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for(endpoint, **{id_arg: saved.id}))
    status = 422 if any(field.errors for field in form) else 200
    return render_template("registry/form.html", form=form, title=title, cancel=cancel), status


# --- stations ----------------------------------------------------------------------------


@bp.route("/stations")
@roles_required(*STAFF)
def stations() -> ResponseReturnValue:
    text = request.args.get("q", "")
    page = page_of(services.station_query(text, _scope()))
    ids = [s.id for s in page.items]
    elders = dict(
        db.session.execute(
            select(Elder.station_id, func.count(Elder.id))
            .where(Elder.station_id.in_(ids))
            .group_by(Elder.station_id)
        ).all()
    )
    caregivers = dict(
        db.session.execute(
            select(Caregiver.station_id, func.count(Caregiver.id))
            .where(Caregiver.station_id.in_(ids), Caregiver.active.is_(True))
            .group_by(Caregiver.station_id)
        ).all()
    )
    return render_template(
        "registry/stations.html", page=page, q=text, elders=elders, caregivers=caregivers
    )


@bp.route("/stations/<int:station_id>")
@roles_required(*STAFF)
def station(station_id: int) -> ResponseReturnValue:
    _in_scope(station_id)
    found: Station = _get(Station, station_id)
    caregivers = db.session.scalars(
        select(Caregiver).where(Caregiver.station_id == station_id).order_by(Caregiver.code)
    ).all()
    elders_total = db.session.scalar(
        select(func.count(Elder.id)).where(Elder.station_id == station_id)
    )
    elders_active = db.session.scalar(
        select(func.count(Elder.id)).where(
            Elder.station_id == station_id, Elder.status == ElderStatus.ACTIVE
        )
    )
    return render_template(
        "registry/station.html",
        station=found,
        caregivers=caregivers,
        elders_total=elders_total,
        elders_active=elders_active,
    )


@bp.route("/stations/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def station_new() -> ResponseReturnValue:
    form = StationForm()
    return _save_form(
        form,
        lambda: services.create_station(db.session, form.values()),
        "registry.station",
        "station_id",
        _("New station"),
        url_for("registry.stations"),
    )


@bp.route("/stations/<int:station_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def station_edit(station_id: int) -> ResponseReturnValue:
    found: Station = _get(Station, station_id)
    form = StationForm(obj=found)
    return _save_form(
        form,
        lambda: services.update_station(db.session, found, form.values()),
        "registry.station",
        "station_id",
        _("Edit station %(name)s", name=str(found)),
        url_for("registry.station", station_id=station_id),
    )


# --- kitchens ----------------------------------------------------------------------------


@bp.route("/kitchens")
@roles_required(*STAFF)
def kitchens() -> ResponseReturnValue:
    rows = db.session.scalars(select(Kitchen).order_by(Kitchen.code)).all()
    served: dict[int, list[Station]] = {}
    for s in db.session.scalars(
        select(Station).where(Station.kitchen_id.is_not(None)).order_by(Station.code)
    ):
        served.setdefault(s.kitchen_id, []).append(s)  # type: ignore[arg-type]
    return render_template("registry/kitchens.html", kitchens=rows, served=served)


@bp.route("/kitchens/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def kitchen_new() -> ResponseReturnValue:
    form = KitchenForm()
    return _save_form(
        form,
        lambda: services.create_kitchen(db.session, form.values()),
        "registry.kitchens",
        "kitchen_id",
        _("New kitchen"),
        url_for("registry.kitchens"),
    )


@bp.route("/kitchens/<int:kitchen_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def kitchen_edit(kitchen_id: int) -> ResponseReturnValue:
    found: Kitchen = _get(Kitchen, kitchen_id)
    form = KitchenForm(obj=found)
    return _save_form(
        form,
        lambda: services.update_kitchen(db.session, found, form.values()),
        "registry.kitchens",
        "kitchen_id",
        _("Edit kitchen %(name)s", name=str(found)),
        url_for("registry.kitchens"),
    )


# --- elders ------------------------------------------------------------------------------


def _station_filter_choices() -> list[Station]:
    return list(db.session.scalars(services.station_query(scope=_scope())))


@bp.route("/elders")
@roles_required(*STAFF)
def elders() -> ResponseReturnValue:
    wanted = ElderFilter(
        text=request.args.get("q", ""),
        station_id=request.args.get("station", type=int),
        care_level=request.args.get("care_level", ""),
        hardship=request.args.get("hardship", ""),
        status=request.args.get("status", ""),
    )
    page = page_of(services.elder_query(wanted, _scope()))
    return render_template(
        "registry/elders.html",
        page=page,
        wanted=wanted,
        stations=_station_filter_choices(),
        care_levels=choices(CareLevel),
        hardships=choices(Hardship),
        statuses=choices(ElderStatus),
    )


@bp.route("/elders/<int:elder_id>")
@roles_required(*STAFF)
def elder(elder_id: int) -> ResponseReturnValue:
    found: Elder = _get(Elder, elder_id)
    _in_scope(found.station_id)
    plans = db.session.scalars(
        select(CarePlan).where(CarePlan.elder_id == elder_id).order_by(CarePlan.start_date)
    ).all()
    minutes = services.minutes_from_station(found)
    inside = (
        minutes is not None
        and found.station is not None
        and minutes <= found.station.circle_minutes
    )
    return render_template(
        "registry/elder.html", elder=found, plans=plans, minutes=minutes, inside=inside
    )


@bp.route("/elders/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def elder_new() -> ResponseReturnValue:
    form = ElderForm()
    return _save_form(
        form,
        lambda: services.create_elder(
            db.session, form.values(), status_from=form.status_since.data
        ),
        "registry.elder",
        "elder_id",
        _("New elder"),
        url_for("registry.elders"),
    )


@bp.route("/elders/<int:elder_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def elder_edit(elder_id: int) -> ResponseReturnValue:
    found: Elder = _get(Elder, elder_id)
    form = ElderForm(obj=found)
    return _save_form(
        form,
        lambda: services.update_elder(
            db.session, found, form.values(), status_from=form.status_since.data
        ),
        "registry.elder",
        "elder_id",
        _("Edit elder %(name)s", name=str(found)),
        url_for("registry.elder", elder_id=elder_id),
    )


# --- caregivers --------------------------------------------------------------------------


@bp.route("/caregivers")
@roles_required(*STAFF)
def caregivers() -> ResponseReturnValue:
    text = request.args.get("q", "")
    station_id = request.args.get("station", type=int)
    skill_id = request.args.get("skill", type=int)
    page = page_of(services.caregiver_query(text, station_id, skill_id, _scope()))
    return render_template(
        "registry/caregivers.html",
        page=page,
        q=text,
        station_id=station_id,
        skill_id=skill_id,
        stations=_station_filter_choices(),
        skills=db.session.scalars(select(Skill).order_by(Skill.code)).all(),
    )


@bp.route("/caregivers/<int:caregiver_id>")
@roles_required(*STAFF)
def caregiver(caregiver_id: int) -> ResponseReturnValue:
    found: Caregiver = _get(Caregiver, caregiver_id)
    _in_scope(found.station_id)
    return render_template("registry/caregiver.html", caregiver=found)


@bp.route("/caregivers/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def caregiver_new() -> ResponseReturnValue:
    form = CaregiverForm()
    return _save_form(
        form,
        lambda: services.create_caregiver(db.session, form.values(), form.skill_ids.data or []),
        "registry.caregiver",
        "caregiver_id",
        _("New caregiver"),
        url_for("registry.caregivers"),
    )


@bp.route("/caregivers/<int:caregiver_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def caregiver_edit(caregiver_id: int) -> ResponseReturnValue:
    found: Caregiver = _get(Caregiver, caregiver_id)
    form = CaregiverForm(obj=found, skill_ids=[s.id for s in found.skills])
    return _save_form(
        form,
        lambda: services.update_caregiver(
            db.session, found, form.values(), form.skill_ids.data or []
        ),
        "registry.caregiver",
        "caregiver_id",
        _("Edit caregiver %(name)s", name=str(found)),
        url_for("registry.caregiver", caregiver_id=caregiver_id),
    )


# --- service types -----------------------------------------------------------------------


@bp.route("/service-types")
@roles_required(*STAFF)
def service_types() -> ResponseReturnValue:
    text = request.args.get("q", "")
    page = page_of(services.service_type_query(text))
    return render_template("registry/service_types.html", page=page, q=text)


@bp.route("/service-types/<int:service_type_id>")
@roles_required(*STAFF)
def service_type(service_type_id: int) -> ResponseReturnValue:
    found: ServiceType = _get(ServiceType, service_type_id)
    return render_template("registry/service_type.html", service_type=found)


@bp.route("/service-types/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def service_type_new() -> ResponseReturnValue:
    form = ServiceTypeForm()
    return _save_form(
        form,
        lambda: services.create_service_type(db.session, form.values()),
        "registry.service_type",
        "service_type_id",
        _("New service type"),
        url_for("registry.service_types"),
    )


@bp.route("/service-types/<int:service_type_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def service_type_edit(service_type_id: int) -> ResponseReturnValue:
    found: ServiceType = _get(ServiceType, service_type_id)
    form = ServiceTypeForm(obj=found)
    return _save_form(
        form,
        lambda: services.update_service_type(db.session, found, form.values()),
        "registry.service_type",
        "service_type_id",
        _("Edit service type %(name)s", name=str(found)),
        url_for("registry.service_type", service_type_id=service_type_id),
    )
