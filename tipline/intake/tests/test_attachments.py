"""Evidence attachments through HTTP: scrubbing, encrypted storage, staff access."""

import io
import os
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from testkit.helpers import form_tokens, make_staff, post_form, receipt_in, staff_login
from tipline.accounts.models import Role
from tipline.accounts.services import default_team
from tipline.audit.models import AuditEvent
from tipline.cases import evidence
from tipline.cases.models import Attachment, Case, Message, Report
from tipline.intake.tests.samples import SERIAL, gps_jpeg

pytestmark = pytest.mark.django_db

ANSWERS = {"what_happened": "He photographed the gate.", "where": "Gate 2"}


def upload(name, data, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files(settings) -> list[Path]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def clean_storage(settings):
    for path in stored_files(settings):
        path.unlink()


@pytest.fixture
def send(browser_client, owner, clean_storage):
    def send(files, answers=ANSWERS, category="approach"):
        url = f"/report/{category}/"
        return post_form(browser_client, url, url, {**answers, "files": files})

    return send


@pytest.fixture
def supervisor(profile):
    return make_staff("sup", default_team().slug, role=Role.SUPERVISOR)


def staff_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    staff_login(client, user)
    return client


def test_gps_and_serial_are_removed_and_the_reporter_is_told(send, settings):
    kept = {**ANSWERS, "keep_originals": "yes"}
    response = send([upload("holiday.jpg", gps_jpeg())], answers=kept)

    assert response.status_code == 200
    html = response.content.decode()
    assert "GPS location" in html
    assert "camera serial number" in html
    attachment = Attachment.objects.get()
    assert attachment.report == Report.objects.get()
    blobs = stored_files(settings)
    assert len(blobs) == 2  # the scrubbed copy and the sealed original
    for blob in blobs:
        data = blob.read_bytes()
        assert SERIAL.encode() not in data
        assert b"\xff\xd8\xff" not in data[:16]
        assert b"PhoneMaker" not in data


def test_staff_download_is_scrubbed_and_served_safely(send, owner):
    send([upload("holiday.jpg", gps_jpeg())])
    case = Case.objects.get()
    attachment = Attachment.objects.get()
    client = staff_client(owner)

    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert "holiday.jpg" in page
    response = client.get(f"/staff/cases/{case.pk}/files/{attachment.pk}/")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="holiday.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    data = b"".join(response.streaming_content)
    image = Image.open(io.BytesIO(data))
    assert image.size == (64, 48)
    assert dict(image.getexif()) == {}
    assert SERIAL.encode() not in data
    assert AuditEvent.objects.filter(action="attachment.download").count() == 1


def test_preview_is_re_encoded_on_the_server(send, owner):
    send([upload("holiday.jpg", gps_jpeg(size=(3000, 200)))])
    case, attachment = Case.objects.get(), Attachment.objects.get()

    response = staff_client(owner).get(
        f"/staff/cases/{case.pk}/files/{attachment.pk}/preview/"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(response.content)).size == (1024, 68)
    assert AuditEvent.objects.filter(action="attachment.preview").count() == 1


def test_outsider_cannot_download_and_nothing_is_audited(send, outsider):
    send([upload("holiday.jpg", gps_jpeg())])
    case, attachment = Case.objects.get(), Attachment.objects.get()

    client = staff_client(outsider)
    for suffix in ["", "preview/", "original/"]:
        url = f"/staff/cases/{case.pk}/files/{attachment.pk}/{suffix}"
        assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="attachment.").exists()


def test_supervisor_opens_the_sealed_original_and_analysts_cannot(
    browser_client, owner, supervisor, clean_storage
):
    original = gps_jpeg()
    post_form(
        browser_client,
        "/report/approach/",
        "/report/approach/",
        {**ANSWERS, "keep_originals": "yes", "files": [upload("x.jpg", original)]},
    )
    case, attachment = Case.objects.get(), Attachment.objects.get()
    url = f"/staff/cases/{case.pk}/files/{attachment.pk}/original/"

    assert staff_client(owner).get(url).status_code == 404
    case_page = f"/staff/cases/{case.pk}/"
    assert url not in staff_client(owner).get(case_page).content.decode()
    assert url in staff_client(supervisor).get(case_page).content.decode()
    response = staff_client(supervisor).get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == original
    assert AuditEvent.objects.filter(action="attachment.original").count() == 1
    page = staff_client(supervisor).get(f"/staff/cases/{case.pk}/").content.decode()
    import hashlib

    assert hashlib.sha256(original).hexdigest() in page


def test_whistleblowing_profile_keeps_no_original(
    browser_client, owner, settings, clean_storage
):
    from tipline.profiles.loader import load_profile

    load_profile("whistleblowing")
    form = browser_client.get("/report/environment/").content.decode()
    assert "the original files are not kept" in form
    assert 'name="keep_originals"' in form

    post_form(
        browser_client,
        "/report/environment/",
        "/report/environment/",
        {"what_happened": "Dumping at night", "files": [upload("a.jpg", gps_jpeg())]},
    )

    assert Attachment.objects.get().original_blob_name == ""
    assert len(stored_files(settings)) == 1


def test_form_tells_the_reporter_that_originals_are_kept_only_if_chosen(
    client, profile
):
    html = client.get("/report/approach/").content.decode()
    assert "the original files are not kept" in html
    assert 'enctype="multipart/form-data"' in html


def assert_rejected(response, settings, message):
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert ANSWERS["where"] in html  # what was typed is kept
    assert "choose the files you want to send again" in html
    assert Report.objects.count() == 0
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.jpg", b"", "empty"),
        ("broken.jpg", gps_jpeg()[:300], "damaged"),
        ("broken.pdf", b"%PDF-1.7\n1 0 obj garbage", "damaged"),
        ("tool.jpg", b"MZ\x90\x00" + b"\x00" * 200, "type"),
        ("page.jpg", b"<html><script>alert(1)</script></html>", "type"),
    ],
    ids=["zero-bytes", "truncated-jpeg", "corrupt-pdf", "exe-claiming-jpeg", "html"],
)
def test_bad_files_get_a_message_and_nothing_is_stored(
    send, settings, name, data, message
):
    response = send([upload(name, data)])

    assert_rejected(response, settings, name)
    assert message in response.content.decode().lower()


def test_pixel_bomb_is_refused(send, settings):
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    png = (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
    )

    assert_rejected(send([upload("huge.png", png, "image/png")]), settings, "huge.png")


def test_polyglot_jpeg_zip_is_refused(send, settings):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("payload.txt", "hidden")
    response = send([upload("both.jpg", gps_jpeg() + archive.getvalue())])

    assert_rejected(response, settings, "both.jpg")


def test_docx_zip_bomb_is_refused(send, settings):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(300):
                member.write(b"\0" * 1024 * 1024)
    response = send([upload("bomb.docx", bomb.getvalue(), "application/msword")])

    assert_rejected(response, settings, "bomb.docx")


def test_oversize_file_is_refused_with_the_limit(send, settings):
    settings.MAX_FILE_BYTES = 10_000
    response = send([upload("big.jpg", gps_jpeg(size=(400, 400)) + b"\0" * 20_000)])

    assert_rejected(response, settings, "larger than 0 MB")


def test_one_bad_file_among_good_ones_stores_nothing(send, settings):
    response = send(
        [upload("good.jpg", gps_jpeg()), upload("bad.jpg", b"\xff\xd8\xffjunk")]
    )

    assert_rejected(response, settings, "bad.jpg")
    assert (
        "good.jpg"
        not in response.content.decode().split("bad.jpg")[0].split("error-summary")[-1]
    )


def test_hostile_names_are_cleaned_and_the_reporter_is_told(send):
    name = "../../etc/\x07pass\u202ewd" + "x" * 300 + ".jpg"
    response = send([upload(name, gps_jpeg())])

    assert response.status_code == 200
    html = response.content.decode()
    assert "(name shortened or cleaned)" in html
    details = Attachment.objects.get()
    assert "../" not in html.split("Your files")[1][:500]
    assert details.blob_name.startswith("evidence/")


def test_declared_type_is_ignored_content_decides(send, owner):
    response = send([upload("scan.pdf", gps_jpeg(), "application/pdf")])

    assert response.status_code == 200
    case, attachment = Case.objects.get(), Attachment.objects.get()
    download = staff_client(owner).get(f"/staff/cases/{case.pk}/files/{attachment.pk}/")
    assert download["Content-Disposition"] == 'attachment; filename="scan.jpg"'


def test_plain_text_is_accepted_unchanged(send, owner):
    text = b"Licence plates: AB-123, CD-456\n"
    send([upload("notes.txt", text, "text/plain")])
    case, attachment = Case.objects.get(), Attachment.objects.get()

    download = staff_client(owner).get(f"/staff/cases/{case.pk}/files/{attachment.pk}/")

    assert b"".join(download.streaming_content) == text


def test_reporter_can_attach_files_to_a_follow_up_message(send, owner, settings):
    receipt = receipt_in(send([]).content.decode())
    client = Client(enforce_csrf_checks=True)
    page = post_form(client, "/followup/", "/followup/", {"receipt": receipt})
    data = {
        **form_tokens(page.content.decode()),
        "body": "Another photo",
        "files": [upload("later.jpg", gps_jpeg())],
    }

    response = client.post("/followup/message/", data, follow=True)

    assert response.status_code == 200
    assert "GPS location" in response.content.decode()
    attachment = Attachment.objects.get()
    assert attachment.message == Message.objects.get()
    staff_page = staff_client(owner).get(f"/staff/cases/{Case.objects.get().pk}/")
    assert "later.jpg" in staff_page.content.decode()


def test_a_failed_transaction_removes_written_files_and_a_retry_works(
    browser_client, owner, settings, clean_storage, monkeypatch
):
    from tipline.cases import services as cases

    html = browser_client.get("/report/approach/").content.decode()
    data = {**form_tokens(html), **ANSWERS}
    real_open_case = cases.open_case

    def crash(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(cases, "open_case", crash)
    browser_client.raise_request_exception = False
    failed = browser_client.post(
        "/report/approach/", {**data, "files": [upload("a.jpg", gps_jpeg())]}
    )

    assert failed.status_code == 500
    assert Report.objects.count() == 0
    assert stored_files(settings) == []
    monkeypatch.setattr(cases, "open_case", real_open_case)
    retry = browser_client.post(
        "/report/approach/", {**data, "files": [upload("a.jpg", gps_jpeg())]}
    )
    assert retry.status_code == 200
    assert Attachment.objects.count() == 1


def test_orphan_sweep_removes_only_old_unreferenced_blobs(send, settings):
    send([upload("kept.jpg", gps_jpeg())], answers={**ANSWERS, "keep_originals": "yes"})
    orphan = default_storage.save("evidence/ab/orphan", io.BytesIO(b"ciphertext"))
    fresh = default_storage.save("evidence/ab/fresh", io.BytesIO(b"ciphertext"))
    old = time.time() - 3 * 3600
    os.utime(default_storage.path(orphan), (old, old))

    deleted = evidence.sweep_orphans()

    assert deleted == 1
    assert not default_storage.exists(orphan)
    assert default_storage.exists(fresh)
    assert len(stored_files(settings)) == 3


def test_periodic_sweep_is_enqueued_once_per_interval(db):
    from django_tasks_db.models import DBTaskResult

    from tipline.schedule import enqueue_due

    assert enqueue_due() == [
        "tipline.intake.tasks.sweep_orphaned_files",
        "tipline.cases.tasks.email_overdue_cases",
        "tipline.cases.tasks.refresh_priorities",
        "tipline.cases.tasks.purge_expired_cases",
        "tipline.audit.tasks.write_audit_anchor",
        "tipline.accounts.tasks.clear_expired_sessions",
    ]
    assert enqueue_due() == []
    assert DBTaskResult.objects.count() == 6
