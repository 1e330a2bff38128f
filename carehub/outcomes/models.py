"""A change of an elder's status proposed by a visit's outcome, for a dispatcher to decide."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carehub.auth.models import User
from carehub.core.audit import Audited
from carehub.core.enums import ElderStatus, ProposalState
from carehub.db import Base, UTCDateTime, intpk
from carehub.dispatch.models import Visit
from carehub.registry.models import Elder


class StatusProposal(Audited, Base):
    """ "Taken to hospital" or "deceased" reported at a visit: the elder's status should
    change from ``effective_from``. Nothing changes until a dispatcher confirms it."""

    __tablename__ = "elder_status_proposals"

    id: Mapped[intpk]
    elder_id: Mapped[int] = mapped_column(ForeignKey("elders.id", ondelete="CASCADE"), index=True)
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("visits.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[ElderStatus] = mapped_column(String(20))
    effective_from: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[ProposalState] = mapped_column(String(20), default=ProposalState.OPEN, index=True)
    proposed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)

    elder: Mapped[Elder] = relationship()
    visit: Mapped[Visit | None] = relationship()
    decided_by: Mapped[User | None] = relationship()
