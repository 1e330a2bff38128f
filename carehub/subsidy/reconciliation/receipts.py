"""When a visit's check-out reached the server, for the upload-delay rule.

Written by the phone API as each check-out arrives; visits imported from another platform
have none, and the rule then has nothing to judge.
"""

from __future__ import annotations

import datetime as dt

from carehub.db import AnySession
from carehub.subsidy.models import VisitReceipt


def note_check_out(session: AnySession, visit_id: int, received_at: dt.datetime) -> None:
    """Record the arrival of the check-out now in force on the visit."""
    receipt = session.get(VisitReceipt, visit_id)
    if receipt is None:
        session.add(VisitReceipt(visit_id=visit_id, received_at=received_at))
    else:
        receipt.received_at = received_at
