"""Template filters and globals shared by every page."""

from __future__ import annotations

from flask import Flask
from flask_babel import get_locale

from carehub.core import enums, time, weekdays


def yuan(fen: int | None) -> str:
    """Integer fen shown as yuan with two decimals, without going through float."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["label"] = enums.label
    app.jinja_env.filters["local"] = time.format_local
    app.jinja_env.filters["yuan"] = yuan
    app.jinja_env.filters["weekdays"] = weekdays.format_mask

    @app.context_processor
    def _globals() -> dict[str, object]:
        return {"current_locale": str(get_locale() or app.config["DEFAULT_LOCALE"])}
