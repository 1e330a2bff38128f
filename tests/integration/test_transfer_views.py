"""The admin import/export page: upload, dry run, the error table and downloads."""

from __future__ import annotations

import io

from sqlalchemy import select

from carehub.core.audit import AuditLog
from carehub.core.enums import Role
from carehub.registry.models import Station
from tests.integration.test_import_support import csv_file, stored

HEADER = "code,name,address,lat,lon"
URL = "/admin/data/"


def _upload(client, data: bytes, name: str = "stations.csv", dry_run: bool = False):
    form = {"entity": "stations", "file": (io.BytesIO(data), name)}
    if dry_run:
        form["dry_run"] = "y"
    return client.post(URL, data=form, content_type="multipart/form-data")


def test_page_offers_upload_and_export_links(client, login_as) -> None:
    login_as(Role.ADMIN)
    page = client.get(URL + "?lang=en").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
    for entity in ("stations", "elders", "caregivers", "service-types", "care-plans"):
        for fmt in ("csv", "xlsx"):
            assert f"/admin/data/export/{entity}.{fmt}" in page


def test_upload_imports_and_shows_the_summary(client, login_as, db) -> None:
    admin = login_as(Role.ADMIN)
    client.get(URL + "?lang=en")
    response = _upload(client, csv_file(HEADER, "ST1,和平站,南京路,39.1175,117.195"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Import saved" in page and "<strong>1</strong> created" in page
    db.session.remove()
    assert db.session.scalar(select(Station.code)) == "ST1"
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "import"))
    assert entry.user_id == admin.id and entry.note == "stations.csv"


def test_bad_file_shows_every_problem_and_writes_nothing(client, login_as, db) -> None:
    login_as(Role.ADMIN)
    before = stored(db)
    data = csv_file(
        HEADER, "ST1,和平站,南京路,39.1175,117.195", "ST2,河西站,路,39.1,abc", "ST1,x,y,39.1,117.2"
    )
    page = _upload(client, data).get_data(as_text=True)
    assert "<td>3</td><td>lon</td>" in page
    assert "<td>4</td><td>code</td>" in page
    db.session.remove()
    assert stored(db) == before


def test_dry_run_upload_writes_nothing(client, login_as, db) -> None:
    login_as(Role.ADMIN)
    before = stored(db)
    response = _upload(client, csv_file(HEADER, "ST1,和平站,南京路,39.1175,117.195"), dry_run=True)
    assert response.status_code == 200
    db.session.remove()
    assert stored(db) == before


def test_other_file_types_are_refused_by_the_form(client, login_as, db) -> None:
    login_as(Role.ADMIN)
    page = _upload(client, b"whatever", name="stations.txt").get_data(as_text=True)
    assert "field-error" in page and "import-result" not in page


def test_export_downloads_csv_and_xlsx(client, login_as, make, db) -> None:
    make.station(code="ST1")
    login_as(Role.ADMIN)
    csv_response = client.get("/admin/data/export/stations.csv")
    assert csv_response.status_code == 200
    assert "attachment" in csv_response.headers["Content-Disposition"]
    assert csv_response.data.startswith(b"\xef\xbb\xbfcode,name,address,lat,lon")
    xlsx_response = client.get("/admin/data/export/care-plans.xlsx")
    assert xlsx_response.status_code == 200 and xlsx_response.data.startswith(b"PK")
    assert client.get("/admin/data/export/stations.pdf").status_code == 404
    assert client.get("/admin/data/export/visits.csv").status_code == 404


def test_only_administrators_may_use_it(client, login_as) -> None:
    assert client.get(URL).status_code == 302  # to the login page
    login_as(Role.DISPATCHER)
    assert client.get(URL).status_code == 403
    assert client.get("/admin/data/export/elders.csv").status_code == 403
    assert _upload(client, csv_file(HEADER)).status_code == 403


def test_the_background_import_keeps_the_name_its_queued_messages_carry(app) -> None:
    """A worker imports the module (it is among the worker's task modules) and finds the task
    under the name messages queued before it moved still carry."""
    celery = app.extensions["celery"]
    assert "carehub.transfer.tasks" in celery.conf.include
    celery.loader.import_default_modules()
    assert "carehub.registry.background_tasks.import_file" in celery.tasks
