"""CareHub: home-care dispatch for community elderly-care stations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Flask
from werkzeug.routing import IntegerConverter

from carehub import config as settings
from carehub import resources

PROJECT_ROOT = resources.SOURCE_ROOT
# Ids are 32-bit integer columns (PostgreSQL's integer); a larger one in a path names nothing.
MAX_ID = 2**31 - 1


class DatabaseId(IntegerConverter):
    """``<int:...>`` bounded as the database's ids: a number too large for the column is a
    404 instead of an overflow inside the driver."""

    def __init__(
        self,
        map: Any,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then ``CAREHUB_*`` variables, then ``config``."""
    app = Flask(
        __name__,
        template_folder=str(resources.folder("templates")),
        instance_path=str(resources.instance_folder()),
    )
    app.config.update(settings.DEFAULTS)
    app.config.update(settings.from_environment())
    if config:
        app.config.update(config)

    instance = Path(app.instance_path)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.instance_secret_key(instance)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = settings.default_database_url(instance)
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    # hide_parameters: SQL errors and echo never print values (names, phones, token hashes).
    app.config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True, "hide_parameters": True}
    )

    # Before any route is added: rules compile their converters when registered.
    app.url_map.converters["int"] = DatabaseId
    _init_extensions(app)
    _register_blueprints(app)

    from carehub.core import errors

    errors.register(app)
    from carehub import web
    from carehub.core import headers

    headers.install(app)

    web.register_template_helpers(app)
    from carehub import worker

    worker.init_app(app)
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Client address, scheme and host from the proxies' X-Forwarded-* headers (the login
        # throttle keys on the address, HTTPS cookies on the scheme); never from more hops
        # than there are proxies, or a client could forge them.
        n = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_prefix=n)  # type: ignore[method-assign]
    return app


def _init_extensions(app: Flask) -> None:
    # Import every model module so the metadata is complete for migrations.
    from carehub import (
        i18n,
        models,  # noqa: F401
    )
    from carehub.auth import sessions
    from carehub.core import audit
    from carehub.core.audit import chain as audit_chain
    from carehub.extensions import babel, csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(resources.folder("migrations")), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    login_manager.init_app(app)
    sessions.configure(login_manager)
    audit.install()
    from carehub.assessment import services as assessment_services

    assessment_services.install_guard()
    audit_chain.install()
    from carehub.subsidy.policy import pricing

    pricing.install()


def _register_blueprints(app: Flask) -> None:
    for blueprint, prefix in (*_office_blueprints(), *_phone_blueprints(), *_dispatch_blueprints()):
        app.register_blueprint(blueprint, url_prefix=prefix)


Mounts = list[tuple[Blueprint, str | None]]


def _office_blueprints() -> Mounts:
    """Sign-in, home pages, jobs, the registry, administration, subsidy, assessment, bureau."""
    from carehub.admin.checklist_views import bp as checklists_bp
    from carehub.admin.views import bp as admin_bp
    from carehub.assessment.views import bp as assessment_bp
    from carehub.auth.views import bp as auth_bp
    from carehub.availability.views import bp as availability_bp
    from carehub.bureau.views import bp as bureau_bp
    from carehub.home.views import bp as home_bp
    from carehub.jobs.views import bp as jobs_bp
    from carehub.registry.views import bp as registry_bp
    from carehub.subsidy import background_views as _subsidy_background  # noqa: F401

    # The meal and upload pages add their routes to the subsidy blueprint; imported here, not
    # at the bottom of subsidy.views, so no module imports its own importer.
    from carehub.subsidy.meals import views as _meal_views  # noqa: F401
    from carehub.subsidy.uploads import views as _upload_views  # noqa: F401
    from carehub.subsidy.views import bp as subsidy_bp
    from carehub.transfer.views import bp as transfer_bp

    return [
        (auth_bp, None),
        (home_bp, None),
        (jobs_bp, None),
        (registry_bp, "/registry"),
        (availability_bp, "/registry"),
        (admin_bp, "/admin"),
        (checklists_bp, "/admin/checklists"),
        (transfer_bp, "/admin/data"),
        (subsidy_bp, "/subsidy"),
        (assessment_bp, "/assessments"),
        (bureau_bp, "/bureau"),
    ]


def _phone_blueprints() -> Mounts:
    """The caregiver's phone pages and the /api/v1 JSON API."""
    from carehub.availability.phone_views import bp as phone_absences_bp
    from carehub.emergency.api import bp as emergency_api_bp
    from carehub.mobile.absences import bp as absence_api_bp
    from carehub.mobile.api import bp as api_bp
    from carehub.mobile.pages import bp as mobile_bp

    return [
        (mobile_bp, "/m"),
        (phone_absences_bp, "/m/absences"),
        (api_bp, "/api/v1"),
        (emergency_api_bp, "/api/v1"),
        (absence_api_bp, "/api/v1"),
    ]


def _dispatch_blueprints() -> Mounts:
    """The dispatcher's pages: emergencies, requests and plans, moves, board, planning,
    status proposals; and the background tasks' pages."""
    from carehub.dispatch.board.insert_views import bp as insert_bp
    from carehub.dispatch.board.views import bp as board_bp
    from carehub.dispatch.intake.plan_views import bp as care_plans_bp
    from carehub.dispatch.intake.views import bp as intake_bp
    from carehub.dispatch.moves.views import bp as moves_bp
    from carehub.dispatch.packing_views import bp as packing_bp
    from carehub.dispatch.planning.views import bp as planning_bp
    from carehub.emergency.views import bp as emergency_bp
    from carehub.outcomes.views import bp as outcomes_bp
    from carehub.worker.views import bp as tasks_bp

    return [
        (emergency_bp, "/dispatch/emergency"),
        (intake_bp, "/dispatch/requests"),
        (insert_bp, "/dispatch/requests"),
        (care_plans_bp, "/dispatch"),
        (moves_bp, "/dispatch"),
        (board_bp, "/dispatch"),
        (packing_bp, "/dispatch"),
        (planning_bp, "/dispatch/planning"),
        (outcomes_bp, "/dispatch/status-proposals"),
        (tasks_bp, "/tasks"),
    ]
