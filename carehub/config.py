"""Settings: defaults, overridden by ``CAREHUB_*`` environment variables, then by create_app(config)."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

ENV_PREFIX = "CAREHUB_"

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # None: a SQLite file in the instance folder
    "SECRET_KEY": None,  # None: generated once and kept in the instance folder
    "TIMEZONE": "Asia/Shanghai",
    "DEFAULT_LOCALE": "zh",
    "LOCALES": ("zh", "en"),
    "CLI_LOCALE": "en",
    # "none", "fake", or "nominatim" (with GEOCODER_URL pointing at a self-hosted Nominatim).
    "GEOCODER": "none",
    "GEOCODER_URL": "",
    "GEOCODER_MIN_DELAY_S": 1.0,
    "GEOCODER_USER_AGENT": "carehub",
    # Travel model: straight line times a street-detour factor, divided by the mode's speed.
    "DETOUR_FACTOR": 1.33,
    "SPEED_EBIKE_KMH": 15.0,
    "SPEED_WALK_KMH": 4.5,
    # Street distances from an OSRM `table` service when set (http://host:5000); else the model.
    "OSRM_URL": "",
    "OSRM_TIMEOUT_S": 10.0,
    "SQLITE_BUSY_TIMEOUT_MS": 10000,
    "PAGE_SIZE": 25,
    # Care-need assessments: re-assess this many months after the last one; the due list
    # shows elders due within this many days.
    "ASSESSMENT_INTERVAL_MONTHS": 12,
    "ASSESSMENT_DUE_WITHIN_DAYS": 30,
    # Scheduled jobs (``carehub scheduler``): crontab expressions in TIMEZONE.
    "JOB_GENERATE_CRON": "0 1 * * *",
    "JOB_PLAN_CRON": "30 1 * * *",
    "JOB_WATCH_CRON": "* * * * *",
    "JOB_RECONCILE_CRON": "0 3 1 * *",
    # Hourly: a month whose records did not change costs a fingerprint query.
    "JOB_MONTH_FIGURES_CRON": "20 * * * *",
    "GENERATE_DAYS_AHEAD": 7,
    "LATE_GRACE_MIN": 15,
    "MISSED_GRACE_MIN": 60,
    # Seconds between the live board's refreshes in the browser.
    "BOARD_REFRESH_S": 30,
    # An emergency offer not accepted within this many minutes goes to the next caregiver.
    "EMERGENCY_ACCEPT_MIN": 3,
    # An emergency with no offer made for this many minutes raises an alert.
    "EMERGENCY_NO_OFFER_MIN": 1,
    "JOB_MAX_ATTEMPTS": 3,
    "JOB_RETRY_BASE_S": 60,
    "JOB_LEASE_S": 3600,
    "SCHEDULER_POLL_S": 15,
    "SCHEDULER_THREADS": 4,
    # Visit verification rules: {"far_from_home": {"radius_m": 300}, "late_upload":
    # {"enabled": false}, ...}; the environment variable holds the same as JSON.
    "SUBSIDY_RULES": {},
    # An open month with more visits than this is never worked out inside a request: the
    # pages read the figures a task stored (carehub.subsidy.reconciliation.month_figures).
    "SUBSIDY_INLINE_VISITS": 20000,
    # A check-in farther than this from the elder's home is accepted but flagged.
    "MOBILE_CHECKIN_RADIUS_M": 200.0,
    "MOBILE_TOKEN_DAYS": 30,
    # Seconds between the open phone page's "what changed" checks (longer while hidden,
    # doubling up to a minute while the network is down).
    "MOBILE_POLL_S": 3,
    # Web Push: the VAPID private key (a PEM file's path, or base64url raw/DER; generated
    # into the instance folder when empty), the contact the push services see, how long a
    # push may wait for an offline phone, and the send timeout.
    "VAPID_PRIVATE_KEY": "",
    "VAPID_SUBJECT": "mailto:dispatch@carehub.invalid",
    "PUSH_TTL_S": 180,
    "PUSH_TIMEOUT_S": 10.0,
    # Push and SMS are sent after the commit in a background thread (off: in the commit's
    # own thread, which tests use to see the result at once).
    "NOTIFY_IN_BACKGROUND": True,
    # "fake" keeps messages in memory and logs them; "http" posts {to, text} to the gateway.
    "SMS_BACKEND": "fake",
    "SMS_GATEWAY_URL": "",
    "SMS_GATEWAY_TOKEN": "",
    "SMS_TIMEOUT_S": 10.0,
    # The address caregivers open the site at, for links in text messages.
    "PUBLIC_URL": "",
    # Password guessing (carehub.auth.throttle): free failures per account and per client
    # address, the count that locks the key, and for how long.
    "AUTH_FREE_FAILURES": 5,
    "AUTH_LOCK_FAILURES": 10,
    "AUTH_ADDRESS_FREE_FAILURES": 20,
    "AUTH_ADDRESS_LOCK_FAILURES": 50,
    "AUTH_LOCK_MIN": 15,
    # A login session ends after this long without a request, and this long after login.
    "SESSION_IDLE_MIN": 120,
    "SESSION_ABSOLUTE_HOURS": 12.0,
    # Seconds the nightly job gives the solver to draft tomorrow's routes.
    "PLAN_TIME_LIMIT_S": 60.0,
    # Runs started from the planning page: solver processes, and how long a run may stay
    # silent (on top of twice its time limit) before it counts as dead.
    "PLANNING_WORKERS": 2,
    "PLANNING_STALE_S": 120.0,
    # Meal rounds: meals a carrier's box holds per travel mode, the longest a meal may ride
    # from the kitchen to its door, and the minutes spent loading at the kitchen.
    "MEAL_BOX_EBIKE": 12,
    "MEAL_BOX_WALK": 6,
    "MEAL_HOT_FOOD_MIN": 40,
    "MEAL_LOAD_MIN": 2,
    # Map tiles for the route map ({z}/{x}/{y} template); empty draws routes on a plain background.
    "MAP_TILE_URL": "",
    # Flask's own keys, set here so the environment and create_app(config) can change them
    # (Flask defines them already, so a setdefault would never take effect).
    "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # Served over HTTPS (production): Secure __Host- cookies and HSTS.
    "HTTPS": False,
    # Reverse proxies in front of the web server whose X-Forwarded-* headers are trusted
    # (werkzeug's ProxyFix); 0 trusts none.
    "PROXY_COUNT": 0,
    # Background work (carehub.worker): the Celery broker and result store, redis://host/0 in
    # production; empty uses SQLite files in the instance folder (the demo). TASKS_EAGER runs
    # tasks in the calling process (tests); PLANNING_FANOUT solves a run's circles as tasks
    # of their own, shared by every worker on the "solve" queue.
    "BROKER_URL": "",
    "RESULT_BACKEND": "",
    "TASKS_EAGER": False,
    "PLANNING_FANOUT": False,
    "TASK_VISIBILITY_S": 3600,
    # How long a process waits to connect to the broker: a request whose task cannot be
    # sent answers 503 after about this long.
    "BROKER_CONNECT_TIMEOUT_S": 1.0,
    # The queue planning runs go to. Cities on databases of their own but one Redis each
    # name their own (their runs' workers read their database), and share the solvers.
    "PLAN_QUEUE": "plan",
}

_FLOAT_KEYS = {
    "GEOCODER_MIN_DELAY_S",
    "OSRM_TIMEOUT_S",
    "DETOUR_FACTOR",
    "SPEED_EBIKE_KMH",
    "SPEED_WALK_KMH",
    "MOBILE_CHECKIN_RADIUS_M",
    "PLAN_TIME_LIMIT_S",
    "PLANNING_STALE_S",
    "SESSION_ABSOLUTE_HOURS",
    "PUSH_TIMEOUT_S",
    "SMS_TIMEOUT_S",
    "BROKER_CONNECT_TIMEOUT_S",
}
_INT_KEYS = {
    "SQLITE_BUSY_TIMEOUT_MS",
    "PAGE_SIZE",
    "SUBSIDY_INLINE_VISITS",
    "GENERATE_DAYS_AHEAD",
    "LATE_GRACE_MIN",
    "MISSED_GRACE_MIN",
    "BOARD_REFRESH_S",
    "EMERGENCY_ACCEPT_MIN",
    "EMERGENCY_NO_OFFER_MIN",
    "JOB_MAX_ATTEMPTS",
    "JOB_RETRY_BASE_S",
    "JOB_LEASE_S",
    "SCHEDULER_POLL_S",
    "SCHEDULER_THREADS",
    "MOBILE_TOKEN_DAYS",
    "MOBILE_POLL_S",
    "PUSH_TTL_S",
    "PLANNING_WORKERS",
    "MEAL_BOX_EBIKE",
    "MEAL_BOX_WALK",
    "MEAL_HOT_FOOD_MIN",
    "MEAL_LOAD_MIN",
    "ASSESSMENT_INTERVAL_MONTHS",
    "ASSESSMENT_DUE_WITHIN_DAYS",
    "AUTH_FREE_FAILURES",
    "AUTH_LOCK_FAILURES",
    "AUTH_ADDRESS_FREE_FAILURES",
    "AUTH_ADDRESS_LOCK_FAILURES",
    "AUTH_LOCK_MIN",
    "SESSION_IDLE_MIN",
    "MAX_CONTENT_LENGTH",
    "PROXY_COUNT",
    "TASK_VISIBILITY_S",
}
_BOOL_KEYS = {"HTTPS", "TASKS_EAGER", "PLANNING_FANOUT", "NOTIFY_IN_BACKGROUND"}


def from_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Read every known setting from ``CAREHUB_<NAME>`` variables, converting numbers."""
    environ = dict(os.environ) if environ is None else environ
    found: dict[str, Any] = {}
    for key in DEFAULTS:
        raw = environ.get(ENV_PREFIX + key)
        if raw is None or raw == "":
            continue
        if key in _FLOAT_KEYS:
            found[key] = float(raw)
        elif key in _INT_KEYS:
            found[key] = int(raw)
        elif key == "SUBSIDY_RULES":
            found[key] = json.loads(raw)
        elif key in _BOOL_KEYS:
            found[key] = raw.strip().lower() in ("1", "true", "yes", "on")
        elif key == "LOCALES":
            found[key] = tuple(part.strip() for part in raw.split(",") if part.strip())
        else:
            found[key] = raw
    return found


def instance_secret_key(instance_path: Path) -> str:
    """Return the key kept in the instance folder, creating it on first use."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Create exclusively so two processes starting together keep one key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def default_database_url(instance_path: Path) -> str:
    instance_path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{instance_path / 'carehub.sqlite3'}"
