"""A job run's one-line summary as the pages show it.

The summary is stored as the task wrote it, in plain English words and figures, because
the command line (`carehub jobs history`) and the logs read it too; the pages put each
known phrase into the interface's language and fen into yuan.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from carehub.web import yuan

# Longest first, so "visits planned" wins over "visits".
PHRASES = {
    "emergencies without an offer": _l("emergencies without an offer"),
    "is still planning these stations; nothing done": _l(
        "is still planning these stations; nothing done"
    ),
    "emergencies escalated": _l("emergencies escalated"),
    "skipped_service_inactive": _l("skipped, service inactive"),
    "skipped_elder_inactive": _l("skipped, elder not active"),
    "visits planned": _l("visits planned"),
    "pending": _l("pending"),
    "unassigned": _l("unassigned"),
    "published": _l("published"),
    "resolved": _l("resolved"),
    "existing": _l("already there"),
    "created": _l("created"),
    "flagged": _l("flagged"),
    "payable": _l("payable"),
    "elders": _l("elders"),
    "missed": _l("missed"),
    "failed": _l("failed"),
    "visits": _l("visits"),
    "late": _l("late"),
    "lent": _l("lent"),
    "done": _l("done"),
    "run": _l("run"),
}
_WORDS = re.compile(r"\b(" + "|".join(re.escape(p) for p in PHRASES) + r")\b")
_FEN = re.compile(r"(-?\d+) fen\b")


def readable(summary: str | None) -> str:
    if not summary:
        return ""
    text = _FEN.sub(lambda m: f"¥{yuan(int(m.group(1)))} fen", summary)
    text = text.replace(" fen pending", " pending").replace(" fen", "")
    return _WORDS.sub(lambda m: str(PHRASES[m.group(1)]), text)


_OFFER_WORDS = {
    "expired": _l("did not answer in time"),
    "declined": _l("declined"),
    "withdrawn": _l("withdrawn"),
}
_OFFER = re.compile(r"\b(" + "|".join(_OFFER_WORDS) + r")\b")


# The status an outcome proposes for an elder (carehub.outcomes).
_STATUS_WORDS = {
    "hospitalised": _l("taken to hospital"),
    "deceased": _l("deceased"),
}
_STATUS = re.compile(r"\b(" + "|".join(_STATUS_WORDS) + r")\b")


def alert_message(message: str | None) -> str:
    """An alert's stored message with the emergency offer's outcome, or the proposed
    status, in words."""
    if not message:
        return ""
    text = _OFFER.sub(lambda m: str(_OFFER_WORDS[m.group(1)]), message)
    return _STATUS.sub(lambda m: str(_STATUS_WORDS[m.group(1)]), text)
