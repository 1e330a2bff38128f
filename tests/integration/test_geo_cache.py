"""Geocoding results are cached in the database, misses included."""

from __future__ import annotations

from sqlalchemy import func, select

from carehub.geo.geocoding import FakeGeocoder, geocode
from carehub.geo.models import GeocodeCache


def test_second_lookup_comes_from_the_cache(db) -> None:
    fake = FakeGeocoder(known={"天津市和平区南京路219号": (39.1205, 117.2010)})
    first = geocode(db.session, "天津市和平区南京路219号", fake)
    second = geocode(db.session, "  天津市和平区南京路219号 ", fake)
    assert first == second == (39.1205, 117.2010)
    assert fake.calls == ["天津市和平区南京路219号"]


def test_a_miss_is_cached_too(db) -> None:
    fake = FakeGeocoder()
    assert geocode(db.session, "nowhere 1", fake) is None
    assert geocode(db.session, "nowhere 1", fake) is None
    assert len(fake.calls) == 1
    assert db.session.scalar(select(func.count(GeocodeCache.id))) == 1
