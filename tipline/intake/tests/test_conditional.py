"""Conditional questions through HTTP, without JavaScript (issue 15, point 2)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from testkit.helpers import PASSWORD, form_tokens, receipt_in, staff_login
from tipline.accounts.services import unlock_private_key
from tipline.cases import workspace
from tipline.cases.models import Attachment, Case, Report
from tipline.intake.models import HeldFile
from tipline.intake.tests.samples import gps_jpeg

pytestmark = pytest.mark.django_db

URL = "/report/online-approach/"
ASKED = "They asked for the project's internal planning documents."
HELD_RE = re.compile(r'name="held_files" value="([^"]+)"')


def answers_of(user):
    case = Case.objects.get()
    private = unlock_private_key(user=user, password=PASSWORD)
    plain = workspace.read_workspace(case=case, user=user, private_key=private).plain
    return {answer["name"]: answer["value"] for answer in plain.answers}


def block(html, name):
    """The opening tag of the conditional fieldset holding question ``name``."""
    found = re.search(
        r'<fieldset class="conditional"[^>]*>\s*<input type="hidden" '
        rf'name="shown_questions" value="{name}">',
        html,
    )
    assert found, name
    return found.group(0)


def test_hostile_answers_to_unmet_conditions_are_dropped(browser_client, owner):
    html = browser_client.get(URL).content.decode()
    response = browser_client.post(
        URL,
        {
            **form_tokens(html),
            "platform": "email",
            "platform_other": "INJECTED platform",
            "moved_app": "no",
            "moved_app_which": "INJECTED app",
            "shown_questions": ["platform_other", "moved_app_which"],
            "what_happened": ASKED,
        },
        follow=True,
    )
    assert receipt_in(response.content.decode())
    answers = answers_of(owner)
    assert "platform_other" not in answers
    assert "moved_app_which" not in answers
    assert answers["platform"] == "email"
    assert answers["what_happened"] == ASKED


def test_unmet_questions_are_hidden_and_disabled(client, profile):
    html = client.get(URL).content.decode()
    assert "disabled hidden" in block(html, "platform_other")
    assert "disabled hidden" in block(html, "moved_app_which")
    assert "tipline/conditional.js" in html
    assert "<script>" not in html


def test_without_javascript_a_met_condition_is_a_second_step(browser_client, owner):
    html = browser_client.get(URL).content.decode()
    first = browser_client.post(
        URL,
        {
            **form_tokens(html),
            "platform": "other",
            "moved_app": "yes",
            "what_happened": ASKED,
            "profile_link": "javascript:alert(1)",
            "files": [SimpleUploadedFile("chat.jpg", gps_jpeg(), "image/jpeg")],
        },
    )
    page = first.content.decode()
    assert first.status_code == 200
    assert "Your answers raised a few more questions." in page
    assert "disabled" not in block(page, "platform_other")
    assert "disabled" not in block(page, "moved_app_which")
    assert ASKED.replace("'", "&#x27;") in page
    assert 'value="javascript:alert(1)"' in page
    assert "1 file is kept" in page
    assert Report.objects.count() == 0
    assert HeldFile.objects.count() == 1

    second = browser_client.post(
        URL,
        {
            **form_tokens(page),
            "held_files": HELD_RE.search(page).group(1),
            "platform": "other",
            "platform_other": "A forum for engineers",
            "moved_app": "yes",
            "moved_app_which": "Telegram",
            "shown_questions": ["platform_other", "moved_app_which"],
            "what_happened": ASKED,
            "profile_link": "javascript:alert(1)",
        },
        follow=True,
    )
    assert receipt_in(second.content.decode())
    answers = answers_of(owner)
    assert answers["platform_other"] == "A forum for engineers"
    assert answers["moved_app_which"] == "Telegram"
    assert answers["profile_link"] == "javascript:alert(1)"
    assert Attachment.objects.count() == 1
    assert HeldFile.objects.count() == 0


def test_with_javascript_a_shown_question_goes_straight_through(browser_client, owner):
    html = browser_client.get(URL).content.decode()
    response = browser_client.post(
        URL,
        {
            **form_tokens(html),
            "platform": "other",
            "platform_other": "A forum for engineers",
            "shown_questions": "platform_other",
            "what_happened": ASKED,
        },
        follow=True,
    )
    assert receipt_in(response.content.decode())
    assert answers_of(owner)["platform_other"] == "A forum for engineers"


def test_hostile_profile_link_is_kept_as_text_and_bounded(browser_client, owner):
    html = browser_client.get(URL).content.decode()
    too_long = browser_client.post(
        URL,
        {
            **form_tokens(html),
            "platform": "email",
            "what_happened": ASKED,
            "profile_link": "https://x.example/" + "a" * 2000,
        },
    )
    assert too_long.status_code == 400
    assert "Ensure this value has at most 1000 characters" in too_long.content.decode()
    assert ASKED.replace("'", "&#x27;") in too_long.content.decode()
    assert Report.objects.count() == 0
    hostile = "javascript:alert(1)\x1b[31m<b>@anna</b>"
    response = browser_client.post(
        URL,
        {
            **form_tokens(html),
            "platform": "email",
            "what_happened": ASKED,
            "profile_link": hostile,
        },
        follow=True,
    )
    assert receipt_in(response.content.decode())
    assert answers_of(owner)["profile_link"] == hostile
    # Staff read it as text: never a link, never markup.
    staff = Client(enforce_csrf_checks=True)
    staff_login(staff, owner)
    page = staff.get(f"/staff/cases/{Case.objects.get().pk}/").content.decode()
    assert "javascript:alert(1)" in page
    assert 'href="javascript:' not in page
    assert "&lt;b&gt;@anna&lt;/b&gt;" in page
