"""Addresses to coordinates through a configurable geopy geocoder, rate-limited and cached.

The geocoder sits behind a one-method protocol so tests and the demo use a fake and never
touch the network. ``CAREHUB_GEOCODER``: ``none`` (default), ``fake``, or ``nominatim``
with ``CAREHUB_GEOCODER_URL`` pointing at a self-hosted Nominatim.
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Protocol

from sqlalchemy import select

from carehub.db import AnySession
from carehub.geo.models import GeocodeCache
from carehub.geo.travel import LatLon


class Geocoder(Protocol):
    name: str

    def geocode(self, address: str) -> LatLon | None: ...


class NoGeocoder:
    """Geocoding switched off: addresses without coordinates stay without."""

    name = "none"

    def geocode(self, address: str) -> LatLon | None:
        return None


class FakeGeocoder:
    """Deterministic coordinates inside a box around a centre, derived from the address text.

    ``known`` pins exact answers; addresses containing ``nowhere`` are not found.
    """

    name = "fake"

    def __init__(
        self,
        centre: LatLon = (39.1175, 117.1950),
        spread_deg: float = 0.02,
        known: dict[str, LatLon] | None = None,
    ) -> None:
        self.centre = centre
        self.spread = spread_deg
        self.known = dict(known or {})
        self.calls: list[str] = []

    def geocode(self, address: str) -> LatLon | None:
        self.calls.append(address)
        if address in self.known:
            return self.known[address]
        if "nowhere" in address.lower() or "查无此址" in address:
            return None
        digest = hashlib.sha256(address.encode()).digest()
        dx = (digest[0] / 255 - 0.5) * 2 * self.spread
        dy = (digest[1] / 255 - 0.5) * 2 * self.spread
        return (round(self.centre[0] + dy, 6), round(self.centre[1] + dx, 6))


class GeopyGeocoder:
    """Any geopy geocoder (Nominatim by default), throttled to ``min_delay_s`` between calls."""

    def __init__(self, geocoder: object, name: str, min_delay_s: float = 1.0) -> None:
        self._geocoder = geocoder
        self.name = name
        self._min_delay = min_delay_s
        self._lock = threading.Lock()
        self._last = 0.0

    def geocode(self, address: str) -> LatLon | None:
        with self._lock:
            wait = self._last + self._min_delay - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                found = self._geocoder.geocode(address, timeout=10)  # type: ignore[attr-defined]
            finally:
                self._last = time.monotonic()
        if found is None:
            return None
        return (float(found.latitude), float(found.longitude))


def from_config(config: object) -> Geocoder:
    get = config.get  # type: ignore[attr-defined]
    injected = get("GEOCODER_INSTANCE")
    if injected is not None:
        return injected
    kind = str(get("GEOCODER", "none")).lower()
    if kind == "fake":
        return FakeGeocoder()
    if kind == "nominatim":
        from urllib.parse import urlsplit

        from geopy.geocoders import Nominatim

        url = urlsplit(str(get("GEOCODER_URL", "")))
        nominatim = Nominatim(
            domain=url.netloc or url.path,
            scheme=url.scheme or "https",
            user_agent=str(get("GEOCODER_USER_AGENT", "carehub")),
        )
        return GeopyGeocoder(nominatim, "nominatim", float(get("GEOCODER_MIN_DELAY_S", 1.0)))
    return NoGeocoder()


def _normalise(address: str) -> str:
    return " ".join(address.split()).strip()


def geocode(session: AnySession, address: str, geocoder: Geocoder | None = None) -> LatLon | None:
    """Coordinates for an address, from the cache or the geocoder (whose answer is then cached,
    misses included, so an unknown address costs one lookup, not one per import)."""
    from flask import current_app

    query = _normalise(address)
    if not query:
        return None
    cached = session.scalar(select(GeocodeCache).where(GeocodeCache.query == query))
    if cached is not None:
        return None if cached.lat is None or cached.lon is None else (cached.lat, cached.lon)
    geocoder = geocoder or from_config(current_app.config)
    if isinstance(geocoder, NoGeocoder):
        return None
    found = geocoder.geocode(query)
    session.add(
        GeocodeCache(
            query=query,
            provider=geocoder.name,
            lat=found[0] if found else None,
            lon=found[1] if found else None,
        )
    )
    session.flush()
    return found
