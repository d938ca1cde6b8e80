"""Settings > Site: administrators set the organisation's name, logo, colours,
texts, quick exit and official channels (issue 15, points 9 and 10). Hostile
input first; every change is audited and shows on the public pages at once."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from testkit.helpers import post_form
from tipline.audit.models import AuditEvent
from tipline.profiles.models import Site

pytestmark = pytest.mark.django_db

PAGE = "/staff/settings/site/"
IDENTITY = "/staff/settings/site/identity/"
CHANNELS = "/staff/settings/site/channels/"
LOGO = "/staff/settings/site/logo/"
ONION = "a" * 56 + ".onion"
GOOD_IDENTITY = {
    "organisation_name_en": "National Protective Service",
    "organisation_name_zh": "国家保护局",
    "emergency_en": "If someone is in danger now, call 999.",
    "emergency_zh": "如有人正处于危险之中，请立即拨打 999。",
    "contact_en": "Write to [press@example.org](mailto:press@example.org).",
    "contact_zh": "",
    "colour_primary": "#1D4E2C",
    "colour_header": "#ffffff",
    "quick_exit_url": "https://www.bbc.com/weather",
}
GOOD_CHANNELS = {
    "web_address": "https://report.example.org/",
    "onion_address": ONION,
    "phone_lines": "+44 20 7946 0000 | Monday to Friday | 周一至周五\n0800 123 456",
    "postal_address_en": "PO Box 1, London",
    "postal_address_zh": "伦敦 1 号信箱",
    "in_person_en": "",
    "in_person_zh": "",
}


def image(fmt="PNG", size=(40, 20), **save):
    out = io.BytesIO()
    Image.new("RGB", size, "#1d4e2c").save(out, fmt, **save)
    return out.getvalue()


def upload(data, name="logo.png", content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def admin(signed_in, administrator):
    return signed_in(administrator)


def test_outsiders_and_other_staff_get_404_and_change_nothing(signed_in, owner, client):
    analyst = signed_in(owner)
    assert analyst.get(PAGE).status_code == 404
    response = analyst.post(IDENTITY, GOOD_IDENTITY)
    assert response.status_code in (403, 404)
    assert client.get(PAGE).status_code == 302  # to the sign-in page
    assert client.post(IDENTITY, GOOD_IDENTITY).status_code in (302, 403)
    assert not Site.objects.exists()
    assert not AuditEvent.objects.filter(action="settings.site").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("colour_primary", "red", "Enter a colour as # and six hexadecimal digits"),
        ("colour_primary", "#12345", "Enter a colour as # and six hexadecimal digits"),
        ("colour_primary", "#1d4e2c;}x{", "Ensure this value has at most 7"),
        (
            "colour_primary",
            "#77aaff",
            "The main colour has a contrast of only",
        ),
        ("colour_header", "#222222", "Dark text on the header colour has a contrast"),
        ("colour_header", "#2a6a3c", "have a contrast of"),
        (
            "quick_exit_url",
            "http://www.bbc.com/",
            "Use an address that starts with https://",
        ),
        ("quick_exit_url", "javascript:alert(1)", "Enter a valid URL"),
        ("quick_exit_url", "https://a:b@www.bbc.com/", "starts with https://"),
        ("organisation_name_en", "N" * 101, "at most 100 characters"),
    ],
)
def test_it_refuses_bad_identity_and_keeps_what_was_typed(admin, field, value, message):
    data = {**GOOD_IDENTITY, field: value}

    response = post_form(admin, PAGE, IDENTITY, data)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "国家保护局" in html  # the rest of the form is kept
    assert not Site.objects.exists()
    assert not AuditEvent.objects.filter(action="settings.site").exists()


def test_a_refused_form_comes_back_in_the_readers_language(admin):
    admin.cookies["django_language"] = "zh-hans"
    data = {**GOOD_IDENTITY, "colour_primary": "#77aaff"}

    response = post_form(admin, PAGE, IDENTITY, data)

    assert response.status_code == 400
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert 'value="#77aaff"' in html
    assert "的对比度仅为" in html


def test_the_quick_exit_may_not_lead_to_the_official_address(admin):
    post_form(admin, PAGE, CHANNELS, GOOD_CHANNELS)
    data = {**GOOD_IDENTITY, "quick_exit_url": "https://report.example.org/x"}

    response = post_form(admin, PAGE, IDENTITY, data)

    assert response.status_code == 400
    assert "Use an address on another site" in response.content.decode()
    assert Site.objects.get().quick_exit_url == "https://www.wikipedia.org/"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "Other formats, SVG among them, are refused",
        ),
        ("logo.png", b"<html><script>alert(1)</script>", "Choose a PNG or JPEG"),
        ("logo.gif", image("GIF"), "Choose a PNG or JPEG"),
        ("logo.png", image()[:60], "Choose a PNG or JPEG"),
        ("logo.png", b"\x89PNG" + b"\0" * (2 * 1024 * 1024), "at most 2 MB"),
        ("logo.png", image(size=(5000, 4000)), "too many pixels"),
    ],
)
def test_it_refuses_hostile_logos(admin, name, data, message):
    form = {"logo_alt_en": "Crest", "logo_alt_zh": "徽章", "logo": upload(data, name)}

    response = post_form(admin, PAGE, LOGO, form)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'value="徽章"' in html
    assert not Site.objects.filter(logo_png__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="settings.site").exists()


def test_a_logo_is_reencoded_without_its_metadata(admin):
    exif = Image.Exif()
    exif[0x8825] = {2: (51, 30, 0)}  # GPS latitude
    exif[0x010E] = "secret description"
    jpeg = image("JPEG", size=(2400, 1200), exif=exif.tobytes(), comment=b"secret")
    form = {
        "logo_alt_en": "Crest",
        "logo_alt_zh": "徽章",
        "logo": upload(jpeg, "l.jpg"),
    }

    response = post_form(admin, PAGE, LOGO, form)

    assert response.status_code == 302
    site = Site.objects.get()
    png = bytes(site.logo_png)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"secret" not in png
    with Image.open(io.BytesIO(png)) as stored:
        assert stored.format == "PNG"
        assert stored.size == (1024, 512)
        assert not stored.getexif()
        assert "exif" not in stored.info
    assert site.logo_alt == {"en": "Crest", "zh-hans": "徽章"}
    event = AuditEvent.objects.get(action="settings.site")
    assert event.target == "site:logo"
    assert event.detail == {"changed": ["logo_alt", "logo_png"], "logo_bytes": len(png)}
    # Served by the site itself, as the header shows it.
    home = admin.get("/").content.decode()
    assert 'alt="Crest"' in home
    served = admin.get("/site/logo.png")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served.content == png

    removed = post_form(admin, PAGE, LOGO, {"logo_alt_en": "Crest", "remove": "on"})
    assert removed.status_code == 302
    assert Site.objects.get().logo_png is None
    assert admin.get("/site/logo.png").status_code == 404


def test_administrators_set_identity_and_public_pages_show_it(admin, client):
    response = post_form(admin, PAGE, IDENTITY, GOOD_IDENTITY)

    assert response.status_code == 302
    site = Site.objects.get()
    assert site.organisation_name == {
        "en": "National Protective Service",
        "zh-hans": "国家保护局",
    }
    assert site.colour_primary == "#1d4e2c"
    assert site.contact == {"en": GOOD_IDENTITY["contact_en"]}
    assert site.quick_exit_url == "https://www.bbc.com/weather"
    event = AuditEvent.objects.get(action="settings.site")
    assert event.target == "site:identity"
    assert event.detail == {
        "changed": [
            "organisation_name",
            "colour_primary",
            "contact",
            "emergency",
            "quick_exit_url",
        ]
    }
    home = client.get("/").content.decode()
    assert "National Protective Service" in home
    assert '<a href="tel:999">999</a>' in home
    assert 'href="mailto:press@example.org"' in home
    assert 'href="https://www.bbc.com/weather" rel="noreferrer"' in home
    css = client.get("/site/brand.css").content.decode()
    assert "--accent: #1d4e2c;" in css
    # The same again changes nothing and records nothing.
    again = post_form(admin, PAGE, IDENTITY, GOOD_IDENTITY)
    assert again.status_code == 302
    assert AuditEvent.objects.filter(action="settings.site").count() == 1


def test_a_one_line_text_stays_one_line(admin):
    data = {
        **GOOD_IDENTITY,
        "organisation_name_en": "  National\r\nProtective   Service ",
    }

    assert post_form(admin, PAGE, IDENTITY, data).status_code == 302
    assert Site.objects.get().organisation_name["en"] == "National Protective Service"


def test_administrators_set_the_channels(admin):
    response = post_form(admin, PAGE, CHANNELS, GOOD_CHANNELS)

    assert response.status_code == 302
    site = Site.objects.get()
    assert site.web_address == "https://report.example.org/"
    assert site.onion_address == ONION
    assert site.phone_lines == [
        {
            "number": "+44 20 7946 0000",
            "hours": {"en": "Monday to Friday", "zh-hans": "周一至周五"},
        },
        {"number": "0800 123 456", "hours": {}},
    ]
    assert site.postal_address == {"en": "PO Box 1, London", "zh-hans": "伦敦 1 号信箱"}
    assert site.in_person == {}
    event = AuditEvent.objects.get(action="settings.site")
    assert event.target == "site:channels"
    page = admin.get(PAGE).content.decode()
    assert "+44 20 7946 0000 | Monday to Friday | 周一至周五" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("web_address", "http://report.example.org/", "starts with https://"),
        ("onion_address", "abc.onion", "Enter a version 3 onion address"),
        (
            "onion_address",
            "a" * 56 + ".onion.evil.com",
            "Enter a version 3 onion address",
        ),
        ("phone_lines", "call us | any time", "Line 1: start with the phone number"),
        ("phone_lines", "\n".join(["112"] * 6), "Enter at most 5 phone lines"),
    ],
)
def test_it_refuses_bad_channels_and_keeps_what_was_typed(admin, field, value, message):
    response = post_form(admin, PAGE, CHANNELS, {**GOOD_CHANNELS, field: value})

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "伦敦 1 号信箱" in html
    assert not Site.objects.exists()
