"""Files kept, encrypted, while the report form is shown again (issue 15, point 3)."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from testkit.helpers import form_tokens, receipt_in
from tipline.cases.models import Attachment, Report
from tipline.intake import held
from tipline.intake.models import HeldFile
from tipline.intake.tests.samples import gps_jpeg

pytestmark = pytest.mark.django_db

URL = "/report/approach/"
NAME = "secret-harbour-plan.jpg"
HELD_RE = re.compile(r'name="held_files" value="([^"]+)"')


def upload(data, name=NAME):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def stored_files(settings) -> list[Path]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def clean_storage(settings):
    for path in stored_files(settings):
        path.unlink()


def first_step(browser_client, data, answers=None):
    """Post the form with a required answer missing: it is shown again."""
    html = browser_client.get(URL).content.decode()
    response = browser_client.post(
        URL, {**form_tokens(html), **(answers or {}), "files": [upload(data)]}
    )
    assert response.status_code == 400
    return response.content.decode()


def test_a_tampered_held_field_keeps_the_text_and_asks_for_the_files(
    browser_client, owner, clean_storage
):
    html = first_step(browser_client, gps_jpeg(), {"where": "Gate 9"})
    token = HELD_RE.search(html).group(1)
    hold_id, key = token.split(".")
    forged = f"{hold_id}.{key[:-2]}AA"
    for bad in (forged, "x" * 5000, "…", f"{hold_id}.", token[::-1]):
        response = browser_client.post(
            URL,
            {
                **form_tokens(html),
                "held_files": bad,
                "what_happened": "He photographed the gate.",
                "where": "Gate 9",
            },
        )
        page = response.content.decode()
        assert response.status_code == 400
        assert "could not be kept" in page
        assert "He photographed the gate." in page
        assert "Gate 9" in page
    assert Report.objects.count() == 0


def test_held_file_joins_the_report_and_is_deleted_after(
    browser_client, owner, clean_storage, settings
):
    data = gps_jpeg()
    html = first_step(browser_client, data, {"where": "Gate 2"})
    assert "1 file is kept: you do not need to choose it again." in html
    assert NAME in html
    assert HeldFile.objects.count() == 1
    token = HELD_RE.search(html).group(1)

    response = browser_client.post(
        URL,
        {
            **form_tokens(html),
            "held_files": token,
            "what_happened": "He photographed the gate.",
            "where": "Gate 2",
        },
        follow=True,
    )
    assert receipt_in(response.content.decode())
    assert Report.objects.count() == 1
    assert Attachment.objects.count() == 1
    assert HeldFile.objects.count() == 0
    assert [p for p in stored_files(settings) if "/held/" in str(p)] == []
    # Sent again (a lost response): still one report, not "files lost".
    again = browser_client.post(
        URL,
        {
            **form_tokens(html),
            "held_files": token,
            "what_happened": "He photographed the gate.",
            "where": "Gate 2",
        },
        follow=True,
    )
    assert again.status_code == 200
    assert Report.objects.count() == 1


def test_a_dropped_held_file_is_not_sent(browser_client, owner, clean_storage):
    html = first_step(browser_client, gps_jpeg())
    response = browser_client.post(
        URL,
        {
            **form_tokens(html),
            "held_files": HELD_RE.search(html).group(1),
            "drop_held": "0",
            "what_happened": "He photographed the gate.",
        },
        follow=True,
    )
    assert receipt_in(response.content.decode())
    assert Attachment.objects.count() == 0
    assert HeldFile.objects.count() == 0


def test_no_plaintext_of_a_held_file_in_storage_or_database(
    browser_client, owner, clean_storage, settings
):
    data = gps_jpeg()
    needle = data[len(data) // 2 : len(data) // 2 + 64]
    assert needle in data  # positive control: the needle is the file's own bytes
    first_step(browser_client, data)
    files = [p for p in stored_files(settings) if "/held/" in str(p)]
    assert len(files) == 1
    assert needle not in files[0].read_bytes()
    row = HeldFile.objects.get()
    assert needle not in bytes(row.sealed)
    assert NAME.encode() not in bytes(row.sealed)
    assert NAME not in row.blob_name
    assert row.purge_after <= timezone.now() + timedelta(hours=1)


def test_wrong_key_opens_nothing(owner, clean_storage):
    upload_file = _bounded(gps_jpeg())
    hold = held.hold_files([upload_file])
    hold_id, key = hold.token.split(".")
    other = held.hold_files([_bounded(gps_jpeg())])
    with pytest.raises(held.HeldFilesLost):
        held.open_held(f"{hold_id}.{other.token.split('.')[1]}")
    with pytest.raises(held.HeldFilesLost):
        held.open_held(f"{other.token.split('.')[0]}.{key}")
    opened = held.open_held(hold.token)
    assert opened[0].file.read() == gps_jpeg()
    assert opened[0].name == NAME


def test_expired_hold_opens_nothing_and_the_sweep_deletes_it(
    owner, clean_storage, settings
):
    hold = held.hold_files([_bounded(gps_jpeg())])
    later = timezone.now() + timedelta(hours=1, minutes=1)
    assert held.sweep_expired_holds() == 0  # not yet
    assert HeldFile.objects.count() == 1
    assert held.sweep_expired_holds(now=later) == 1
    assert HeldFile.objects.count() == 0
    assert [p for p in stored_files(settings) if "/held/" in str(p)] == []
    with pytest.raises(held.HeldFilesLost):
        held.open_held(hold.token)


def _bounded(data):
    from tipline.crypto import EncryptedSpool
    from tipline.intake.uploads import BoundedUpload

    spool = EncryptedSpool()
    spool.write(data)
    spool.finish()
    return BoundedUpload(
        spool=spool,
        name=NAME,
        content_type="image/jpeg",
        size=len(data),
        charset=None,
        content_type_extra=None,
    )


def test_a_language_change_deletes_held_files_and_says_to_choose_again(
    browser_client, owner, clean_storage
):
    html = first_step(browser_client, gps_jpeg(), {"where": "Gate 7"})
    token = HELD_RE.search(html).group(1)
    response = browser_client.post(
        "/language/keep/",
        {
            **form_tokens(html),
            "language": "en",
            "next": URL,
            "draft_of": "report-form",
            "held_files": token,
            "where": "Gate 7",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Gate 7" in page
    assert "choose your files again before sending" in page
    assert HeldFile.objects.count() == 0
    assert token not in page
    assert 'name="held_files"' not in page
