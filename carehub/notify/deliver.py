"""After a commit: push the news to the caregivers' phones, or text them.

``feed`` hands over the commit's notices. New emergency offers and changes to today's route
made by someone else are pushed to every subscription of the caregiver; an offer that
reached no subscription goes by SMS instead. Sending runs in a background thread
(``NOTIFY_IN_BACKGROUND``), so a slow push service never holds up the dispatcher's
request; it uses its own session and commits only the subscriptions' delivery state.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from carehub.core.time import local_today
from carehub.extensions import db
from carehub.fieldwork.models import EmergencyOffer
from carehub.fieldwork.vocab import OfferStatus
from carehub.notify import push, sms
from carehub.notify.feed import OFFER, ROUTE, Notice
from carehub.registry.models import Caregiver

log = logging.getLogger(__name__)

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_running: set[Future[Any]] = set()


@dataclass
class Report:
    pushed: list[tuple[int, str]] = field(default_factory=list)  # (caregiver id, kind)
    texted: list[tuple[int, int]] = field(default_factory=list)  # (caregiver id, offer id)
    failed: list[str] = field(default_factory=list)


def worth_telling(notice: Notice, today: Any) -> bool:
    if notice.kind == OFFER:
        return True
    return notice.kind == ROUTE and notice.day == today and not notice.by_self


def submit(app: Flask, notices: list[Notice]) -> None:
    today = local_today()
    wanted = [n for n in notices if worth_telling(n, today)]
    if not wanted:
        return
    if not app.config["NOTIFY_IN_BACKGROUND"]:
        _run(app, wanted)
        return
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="phone-notify")
        future = _pool.submit(_run, app, wanted)
        _running.add(future)
    future.add_done_callback(_running.discard)


def drain(timeout: float = 30.0) -> None:
    """Wait for the deliveries under way (tests, and a command about to exit)."""
    wait(list(_running), timeout=timeout)


def _run(app: Flask, notices: list[Notice]) -> Report | None:
    try:
        with app.app_context(), Session(db.engine) as session:
            report = deliver(app, session, notices)
            session.commit()
            return report
    except Exception:  # never let a push failure surface in someone else's request
        log.exception("delivering %d phone notices failed", len(notices))
        return None


def offer_message(offer: EmergencyOffer) -> dict[str, Any]:
    request = offer.request
    elder = request.elder
    return {
        "kind": OFFER,
        "offer_id": offer.id,
        "title": _("Emergency job"),
        "body": f"{request.service_type.display_name(str(current_app.config['DEFAULT_LOCALE']))} · {elder.name} · {elder.address}",
        "tag": f"offer-{offer.id}",
        "url": "/m/",
    }


def route_message() -> dict[str, Any]:
    return {
        "kind": ROUTE,
        "title": _("Your route for today changed"),
        "body": _("Open the phone page to see the new route."),
        "tag": "route",
        "url": "/m/",
    }


def offer_text(app: Flask, offer: EmergencyOffer) -> str:
    request = offer.request
    base = str(app.config.get("PUBLIC_URL") or "").rstrip("/")
    page = base + "/m/" if base else _("the phone page")
    return _(
        "CareHub emergency job: %(service)s, %(elder)s, %(address)s. Open %(page)s to accept or decline.",
        service=request.service_type.display_name("zh"),
        elder=request.elder.name,
        address=request.elder.address,
        page=page,
    )


def deliver(app: Flask, session: Session, notices: list[Notice]) -> Report:
    """Push each caregiver's news to their phones; text offers that reached none."""
    report = Report()
    by_caregiver: dict[int, list[Notice]] = defaultdict(list)
    for notice in notices:
        by_caregiver[notice.caregiver_id].append(notice)
    with force_locale(app.config["DEFAULT_LOCALE"]):
        for caregiver_id, items in by_caregiver.items():
            _tell(app, session, caregiver_id, items, report)
    return report


def _tell(
    app: Flask, session: Session, caregiver_id: int, items: list[Notice], report: Report
) -> None:
    caregiver = session.get(Caregiver, caregiver_id)
    if caregiver is None:
        return
    offers = [session.get(EmergencyOffer, n.offer_id) for n in items if n.kind == OFFER]
    # Already answered or withdrawn by the time we got here: nothing to tell.
    open_offers = [o for o in offers if o is not None and o.status == OfferStatus.OFFERED]
    messages = [offer_message(o) for o in open_offers]
    if any(n.kind == ROUTE for n in items):
        messages.append(route_message())
    if not messages:
        return
    reached = False
    for row in push.of_caregiver(session, caregiver_id):
        for message in messages:
            if push.send(app, session, row, message):
                reached = True
                report.pushed.append((caregiver_id, message["kind"]))
            else:
                report.failed.append(f"push {row.id}")
    if reached or not open_offers:
        return
    if not caregiver.phone:
        report.failed.append(f"caregiver {caregiver_id}: no push and no phone number")
        return
    sender = sms.sender(app)
    for offer in open_offers:
        try:
            sender.send(caregiver.phone, offer_text(app, offer))
            report.texted.append((caregiver_id, offer.id))
        except sms.SmsError as exc:
            log.warning("SMS to caregiver %s failed: %s", caregiver_id, exc)
            report.failed.append(f"sms {caregiver_id}")
