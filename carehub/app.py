"""CareHub: home-care dispatch for community elderly-care stations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

from carehub import config as settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
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
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(PROJECT_ROOT / "instance"),
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
    return app


def _init_extensions(app: Flask) -> None:
    # Import every model module so the metadata is complete for migrations.
    from carehub import (
        i18n,
        models,  # noqa: F401
    )
    from carehub.auth import sessions
    from carehub.core import audit, audit_chain
    from carehub.extensions import babel, csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
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
    from carehub.admin.views import bp as admin_bp
    from carehub.assessment.views import bp as assessment_bp
    from carehub.auth.views import bp as auth_bp
    from carehub.bureau.views import bp as bureau_bp
    from carehub.dispatch.board.views import bp as board_bp
    from carehub.dispatch.intake.plan_views import bp as care_plans_bp
    from carehub.dispatch.intake.views import bp as intake_bp
    from carehub.dispatch.moves.views import bp as moves_bp
    from carehub.dispatch.packing_views import bp as packing_bp
    from carehub.dispatch.planning.views import bp as planning_bp
    from carehub.emergency.api import bp as emergency_api_bp
    from carehub.emergency.views import bp as emergency_bp
    from carehub.home.views import bp as home_bp
    from carehub.jobs.views import bp as jobs_bp
    from carehub.mobile.api import bp as api_bp
    from carehub.mobile.pages import bp as mobile_bp
    from carehub.registry.transfer_views import bp as transfer_bp
    from carehub.registry.views import bp as registry_bp

    # The meal and upload pages add their routes to the subsidy blueprint; imported here, not
    # at the bottom of subsidy.views, so no module imports its own importer.
    from carehub.subsidy.meals import views as _meal_views  # noqa: F401
    from carehub.subsidy.uploads import views as _upload_views  # noqa: F401
    from carehub.subsidy.views import bp as subsidy_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(registry_bp, url_prefix="/registry")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(transfer_bp, url_prefix="/admin/data")
    app.register_blueprint(subsidy_bp, url_prefix="/subsidy")
    app.register_blueprint(assessment_bp, url_prefix="/assessments")
    app.register_blueprint(bureau_bp, url_prefix="/bureau")
    app.register_blueprint(mobile_bp, url_prefix="/m")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(emergency_api_bp, url_prefix="/api/v1")
    app.register_blueprint(emergency_bp, url_prefix="/dispatch/emergency")
    app.register_blueprint(intake_bp, url_prefix="/dispatch/requests")
    app.register_blueprint(care_plans_bp, url_prefix="/dispatch")
    app.register_blueprint(moves_bp, url_prefix="/dispatch")
    app.register_blueprint(board_bp, url_prefix="/dispatch")
    app.register_blueprint(packing_bp, url_prefix="/dispatch")
    app.register_blueprint(planning_bp, url_prefix="/dispatch/planning")
