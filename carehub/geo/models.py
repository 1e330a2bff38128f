"""Geocoding results kept in the database: a paid or rate-limited lookup is made once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from carehub.db import Base, UTCDateTime, intpk, utcnow


class GeocodeCache(Base):
    __tablename__ = "geocode_cache"

    id: Mapped[intpk]
    query: Mapped[str] = mapped_column(String(255), unique=True)
    provider: Mapped[str] = mapped_column(String(40))
    lat: Mapped[float | None] = mapped_column(Float)  # None: the provider found nothing
    lon: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
