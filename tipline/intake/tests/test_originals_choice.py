"""Untouched originals are kept only when the reporter chooses so (issue 11, point 4).

The promise on the form: unless the box is ticked, only the cleaned copies are
stored. It is checked against the state left behind (storage files, attachment rows,
sealed keys) for every allowed file type, through the HTML form, the follow-up
message form and the API, with forged values; and with the box ticked, a supervisor
gets the exact original back.
"""

import hashlib
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from testkit.helpers import form_tokens, make_staff, post_form, receipt_in, staff_login
from tipline.accounts.models import Role
from tipline.accounts.services import default_team
from tipline.cases.models import Attachment, Case, OriginalKey
from tipline.intake.tests import test_scrub as scrub_samples
from tipline.intake.tests.samples import gps_jpeg
from tipline.profiles.models import Profile

ANSWERS = {"what_happened": "He photographed the gate."}
NOT_KEPT = "You chose not to keep the untouched originals"
KEPT = "You chose to keep the untouched originals as well."


def every_allowed_file() -> dict[str, bytes]:
    """One real, acceptable file of every allowed type (the scrubber's samples)."""
    s = scrub_samples
    pdf, _ = s.sample_pdf()
    return {
        "jpeg": gps_jpeg(),
        "png": s.image_bytes("PNG", exif=s.camera_exif()),
        "gif": s.image_bytes("GIF", comment=b"x"),
        "webp": s.image_bytes("WEBP", exif=s.camera_exif()),
        "heic": s.image_bytes("HEIF"),
        "pdf": pdf,
        "docx": s.make_zip(dict(s.DOCX_PARTS)),
        "xlsx": s.make_zip(s.XLSX_PARTS),
        "odt": s.sample_odt(),
        "mp3": s.tagged_mp3(),
        "m4a": s.m4a_file(bytes(10)),
        "wav": s.tagged_wav()[0],
        "ogg": s.ogg_opus(["ARTIST=x"]),
        "mp4": s.mp4_box(b"ftyp", b"isom\0\0\0\0isom")
        + s.mp4_box(b"moov", s.mp4_box(b"udta", s.mp4_box(b"\xa9xyz", b"+51.5-0.1/")))
        + s.mp4_box(b"mdat", b"frames"),
        "text": b"Notes taken on the night, by the author.\n",
    }


FILES = every_allowed_file()


def upload(kind: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"evidence-{kind}", FILES[kind])


def stored_files(settings) -> list[Path]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def clean_storage(settings):
    for path in stored_files(settings):
        path.unlink()


@pytest.fixture
def supervisor(profile):
    return make_staff("sup", default_team().slug, role=Role.SUPERVISOR)


def staff_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    staff_login(client, user)
    return client


def assert_no_original_anywhere(settings) -> None:
    """Each stored file is a cleaned copy: no original blob, no original key."""
    rows = list(Attachment.objects.all())
    assert rows
    assert [row.original_blob_name for row in rows] == [""] * len(rows)
    assert [row.original_escrow_key for row in rows] == [None] * len(rows)
    assert OriginalKey.objects.count() == 0
    assert sorted(p.name for p in stored_files(settings)) == sorted(
        Path(row.blob_name).name for row in rows
    )


def send_report(client, data):
    return post_form(client, "/report/approach/", "/report/approach/", data)


@pytest.mark.parametrize("kind", sorted(FILES))
def test_unticked_box_keeps_no_original_of_any_file_type(
    browser_client, owner, supervisor, clean_storage, settings, kind
):
    response = send_report(browser_client, {**ANSWERS, "files": [upload(kind)]})

    assert response.status_code == 200, response.content.decode()[:2000]
    assert NOT_KEPT in response.content.decode()
    assert_no_original_anywhere(settings)
    case, attachment = Case.objects.get(), Attachment.objects.get()
    url = f"/staff/cases/{case.pk}/files/{attachment.pk}/original/"
    desk = staff_client(supervisor)
    assert desk.get(url).status_code == 404
    # Not even the original's hash, which could match a copy on the reporter's phone.
    page = desk.get(f"/staff/cases/{case.pk}/").content.decode()
    assert "SHA-256 of the original at intake" not in page
    assert "SHA-256 of this copy" in page


@pytest.mark.parametrize("kind", sorted(FILES))
def test_ticked_box_keeps_the_original_for_the_supervisor(
    browser_client, owner, supervisor, clean_storage, settings, kind
):
    data = {**ANSWERS, "keep_originals": "yes", "files": [upload(kind)]}
    response = send_report(browser_client, data)

    assert response.status_code == 200, response.content.decode()[:2000]
    assert KEPT in response.content.decode()
    attachment = Attachment.objects.get()
    assert attachment.original_blob_name != ""
    assert OriginalKey.objects.filter(attachment=attachment).count() == 1
    assert len(stored_files(settings)) == 2
    case = Case.objects.get()
    url = f"/staff/cases/{case.pk}/files/{attachment.pk}/original/"
    assert staff_client(owner).get(url).status_code == 404
    desk = staff_client(supervisor)
    download = desk.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == FILES[kind]
    page = desk.get(f"/staff/cases/{case.pk}/").content.decode()
    assert hashlib.sha256(FILES[kind]).hexdigest() in page


@pytest.mark.parametrize(
    "forged",
    ["", "true", "True", "on", "1", "0", "no", "YES", " yes", "yes ", ["no", "yes"]],
)
def test_a_forged_box_value_keeps_no_original(
    browser_client, owner, clean_storage, settings, forged
):
    data = {**ANSWERS, "keep_originals": forged, "files": [upload("jpeg")]}
    response = send_report(browser_client, data)

    assert response.status_code == 200
    assert NOT_KEPT in response.content.decode()
    assert_no_original_anywhere(settings)


def test_the_form_explains_the_choice_and_leaves_it_unticked(client, profile):
    html = client.get("/report/approach/").content.decode()

    box = html[html.index('name="keep_originals"') - 200 :][:400]
    assert 'type="checkbox"' in box
    assert 'value="yes"' in box
    assert "checked" not in box
    assert "Also keep the untouched original files, as evidence" in html
    for words in ["place where a photo was taken", "device", "author", "supervisors"]:
        assert words in html
    assert "escrow key" in html
    assert "the original files are not kept" in html
    assert "removed before anything is stored" not in html


def test_a_profile_may_preset_the_box_but_unticking_it_keeps_nothing(
    browser_client, owner, clean_storage, settings
):
    Profile.objects.filter(active=True).update(originals_default=True)

    html = browser_client.get("/report/approach/").content.decode()
    box = html[html.index('name="keep_originals"') - 200 :][:400]
    assert "checked" in box
    # A browser sends nothing for a box the reporter unticked.
    response = send_report(browser_client, {**ANSWERS, "files": [upload("png")]})

    assert NOT_KEPT in response.content.decode()
    assert_no_original_anywhere(settings)


def test_with_no_files_the_receipt_says_nothing_about_originals(browser_client, owner):
    response = send_report(browser_client, {**ANSWERS, "keep_originals": "yes"})

    html = response.content.decode()
    assert response.status_code == 200
    assert KEPT not in html
    assert NOT_KEPT not in html


def open_followup(client, receipt):
    return post_form(client, "/followup/", "/followup/", {"receipt": receipt})


def send_message(client, receipt, **data):
    page = open_followup(client, receipt).content.decode()
    tokens = form_tokens(page)
    return client.post(
        "/followup/message/",
        {**tokens, "receipt": receipt, "body": "One more photo", **data},
    )


def test_the_message_form_offers_the_same_choice(
    browser_client, owner, supervisor, clean_storage, settings
):
    receipt = receipt_in(send_report(browser_client, ANSWERS).content.decode())
    page = open_followup(browser_client, receipt).content.decode()
    box = page[page.index('name="keep_originals"') - 200 :][:400]
    assert "checked" not in box
    assert "Also keep the untouched original files, as evidence" in page

    unticked = send_message(browser_client, receipt, files=[upload("jpeg")])
    assert unticked.status_code == 200
    assert NOT_KEPT in unticked.content.decode()
    assert_no_original_anywhere(settings)

    ticked = send_message(
        browser_client, receipt, keep_originals="yes", files=[upload("pdf")]
    )
    assert KEPT in ticked.content.decode()
    kept = Attachment.objects.exclude(original_blob_name="").get()
    assert kept.message is not None
    assert Attachment.objects.filter(original_blob_name="").count() == 1
    case = Case.objects.get()
    url = f"/staff/cases/{case.pk}/files/{kept.pk}/original/"
    download = staff_client(supervisor).get(url)
    assert b"".join(download.streaming_content) == FILES["pdf"]


# --- The API -------------------------------------------------------------------


def api_tokens(app):
    return app.get("/api/v1/tokens").json()


def api_report(app, files, answers=ANSWERS, **fields):
    return app.post(
        "/api/v1/reports",
        {
            "category": "approach",
            "token": api_tokens(app)["report"],
            "answers": json.dumps(answers),
            "files": files,
            **fields,
        },
    )


@pytest.fixture
def app():
    return Client(enforce_csrf_checks=True)


def test_the_api_without_the_field_keeps_no_original(
    app, owner, clean_storage, settings
):
    Profile.objects.filter(active=True).update(originals_default=True)

    response = api_report(app, [upload("docx")])

    assert response.status_code == 201
    assert response.json()["originals_kept"] is False
    assert_no_original_anywhere(settings)


@pytest.mark.parametrize(
    "smuggled",
    [
        {"keep_originals": "yes"},
        {"keep_originals": ["yes"]},
        {"homepage": "https://example.test"},
        {"token": "forged"},
    ],
)
def test_answers_cannot_set_the_forms_own_fields(
    app, owner, clean_storage, settings, smuggled
):
    """The API's answers reach the report form as its questions only: an
    answer named like the originals box, the honeypot or the token changes
    nothing (the one submission service reads those fields from the form)."""
    response = api_report(app, [upload("docx")], answers={**ANSWERS, **smuggled})

    assert response.status_code == 201
    assert response.json()["originals_kept"] is False
    assert_no_original_anywhere(settings)


def test_the_api_keeps_the_original_when_asked(
    app, owner, supervisor, clean_storage, settings
):
    response = api_report(app, [upload("odt")], keep_originals="true")

    assert response.status_code == 201
    assert response.json()["originals_kept"] is True
    attachment = Attachment.objects.get()
    case = Case.objects.get()
    url = f"/staff/cases/{case.pk}/files/{attachment.pk}/original/"
    download = staff_client(supervisor).get(url)
    assert b"".join(download.streaming_content) == FILES["odt"]


@pytest.mark.parametrize("forged", ["yes", "1", "on", "maybe", "TRUE!"])
def test_the_api_refuses_an_unclear_choice_and_stores_nothing(
    app, owner, clean_storage, settings, forged
):
    response = api_report(app, [upload("jpeg")], keep_originals=forged)

    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "keep_originals": ["Send keep_originals as true or false, or leave it out."]
        }
    }
    assert Attachment.objects.count() == 0
    assert stored_files(settings) == []


def test_the_choice_cannot_be_smuggled_in_as_an_answer(
    app, owner, clean_storage, settings
):
    answers = {**ANSWERS, "keep_originals": "yes"}
    response = api_report(app, [upload("jpeg")], answers=answers)

    assert response.status_code == 201
    assert_no_original_anywhere(settings)


def test_api_messages_take_the_same_choice(
    app, owner, supervisor, clean_storage, settings
):
    receipt = api_report(app, []).json()["receipt"]

    def message(**fields):
        return app.post(
            "/api/v1/followup/messages",
            {
                "receipt": receipt,
                "token": api_tokens(app)["message"],
                "body": "More",
                **fields,
            },
        )

    plain = message(files=[upload("png")])
    assert plain.status_code == 201
    assert plain.json()["originals_kept"] is False
    assert_no_original_anywhere(settings)
    assert message(files=[upload("png")], keep_originals="on").status_code == 400
    kept = message(files=[upload("wav")], keep_originals="true")
    assert kept.json()["originals_kept"] is True
    row = Attachment.objects.exclude(original_blob_name="").get()
    url = f"/staff/cases/{row.report.case.pk}/files/{row.pk}/original/"
    download = staff_client(supervisor).get(url)
    assert b"".join(download.streaming_content) == FILES["wav"]


def test_the_profile_endpoint_gives_the_default_not_a_promise(app, profile):
    body = app.get("/api/v1/profile").json()

    assert body["originals_default"] is False
    assert "keeps_originals" not in body


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_each_profiles_setting_as_the_preset():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("intake", "0003_profile_acknowledge_days_profile_feedback_days")]
    after = [("intake", "0004_profile_originals_default_profile_texts")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("intake", "Profile")
    old.objects.create(slug="kept", name={}, intro={}, keep_originals=True)
    old.objects.create(slug="not-kept", name={}, intro={}, keep_originals=False)
    old.objects.create(slug="whistleblowing", name={}, intro={})

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps.get_model("intake", "Profile")

    presets = dict(new.objects.values_list("slug", "originals_default"))
    assert presets == {"kept": True, "not-kept": False, "whistleblowing": False}
    assert new.objects.get(slug="kept").texts == {}
    # A shipped profile gets its public texts without being reloaded.
    texts = new.objects.get(slug="whistleblowing").texts
    assert texts["home_heading"]["en"] == "Report a breach at work, safely"
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.parametrize("keep", ["yes", ""])
def test_a_resent_form_says_what_was_chosen_the_first_time(
    browser_client, owner, clean_storage, settings, keep
):
    page = browser_client.get("/report/approach/").content.decode()
    data = {**form_tokens(page), **ANSWERS, "keep_originals": keep}
    first = browser_client.post("/report/approach/", {**data, "files": [upload("gif")]})
    # The same form again, this time with the box flipped: the first choice stands.
    flipped = {**data, "keep_originals": "" if keep else "yes"}
    again = browser_client.post(
        "/report/approach/", {**flipped, "files": [upload("gif")]}
    )

    assert first.status_code == again.status_code == 200
    assert (KEPT if keep else NOT_KEPT) in first.content.decode()
    # The re-shown receipt lists no files; it still says if originals were kept.
    assert (KEPT in again.content.decode()) is bool(keep)
    assert Attachment.objects.count() == 1
    assert len(stored_files(settings)) == (2 if keep else 1)
