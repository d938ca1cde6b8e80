"""Redaction redacts (issue 12, point 5): a hidden term is masked for every reader
everywhere on the case page, whatever its spelling, and only a supervisor can show
it again, which is audited."""

import html as html_lib
import re
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from testkit.helpers import form_tokens, make_staff, post_form, receipt_in, staff_login
from tipline.accounts.models import Role
from tipline.accounts.services import default_team
from tipline.audit.models import AuditEvent
from tipline.cases.models import Case, Redaction
from tipline.cases.redaction import Redactor
from tipline.triage.models import PriorityRule

pytestmark = pytest.mark.django_db

# The name as the reporter wrote it, in the spellings a hostile or careless text
# uses: plain, shouting over a line break, full-width with an ideographic space,
# with a soft hyphen and with a zero-width space.
REPORT = (
    "A man calling himself Viktor Hale offered me money for the floor plans. "
    "Later VIKTOR\nHALE called again; his card reads Ｖｉｋｔｏｒ\u3000Ｈａｌｅ, "
    "his email signature Vik\u00adtor Hale and his note Viktor\u200b Hale."
)
SPELLINGS = 5


def folded_page(text: str) -> str:
    """What a reader could find in the page, spelled any way: entities resolved,
    NFKC, casefolded, invisible characters dropped and white space collapsed."""
    text = unicodedata.normalize("NFKC", html_lib.unescape(text)).casefold()
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return re.sub(r"\s+", " ", text)


def client_for(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    staff_login(client, user)
    return client


def page_of(client, case) -> str:
    response = client.get(f"/staff/cases/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode()


HIDDEN_RE = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')


def post_on_page(client, case, action, data):
    """Post the case page's form for ``action`` with that form's hidden fields."""
    url = f"/staff/cases/{case.pk}/{action}/"
    html = page_of(client, case)
    start = html.index(f'action="{url}"')
    form = html[start : html.index("</form>", start)]
    return client.post(url, {**dict(HIDDEN_RE.findall(form)), **data})


def post_forged(client, case, action, data):
    """A POST the page does not offer, with a valid CSRF token."""
    html = page_of(client, case)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return client.post(
        f"/staff/cases/{case.pk}/{action}/", {"csrfmiddlewaretoken": csrf, **data}
    )


@pytest.fixture
def chief(profile):
    return make_staff("chief", default_team().slug, role=Role.SUPERVISOR)


@pytest.fixture
def case(browser_client, owner, colleague, chief):
    """A report naming Viktor Hale in its answer, its file's name, a reporter's
    message, a staff note, the risk note and a priority keyword."""
    PriorityRule.objects.create(kind="keyword", keyword="viktor hale", weight=7)
    response = post_form(
        browser_client,
        "/report/approach/",
        "/report/approach/",
        {
            "what_happened": REPORT,
            "files": [
                SimpleUploadedFile(
                    "Viktor Hale card.txt", b"business card", "text/plain"
                )
            ],
        },
    )
    receipt = receipt_in(response.content.decode())
    followup = post_form(
        browser_client, "/followup/", "/followup/", {"receipt": receipt}
    ).content.decode()
    sent = browser_client.post(
        "/followup/message/",
        {**form_tokens(followup), "body": "Viktor Hale came back today."},
    )
    assert sent.status_code == 200
    case = Case.objects.get()
    owner_client = client_for(owner)
    assert (
        post_on_page(
            owner_client, case, "notes", {"body": "Check viktor hale in the registry."}
        ).status_code
        == 302
    )
    assert (
        post_on_page(
            owner_client,
            case,
            "risk",
            {"risk": "high", "note": "Viktor Hale knows where they work."},
        ).status_code
        == 302
    )
    return case


def test_a_term_hidden_by_one_analyst_is_masked_for_another_everywhere(
    case, owner, colleague
):
    before = folded_page(page_of(client_for(colleague), case))
    # Positive control: every place shows the name before it is hidden.
    assert before.count("viktor") >= SPELLINGS + 5

    response = post_on_page(
        client_for(owner), case, "redactions", {"term": "  viktor HALE "}
    )
    assert response.status_code == 302

    for reader in (colleague, owner):
        html = page_of(client_for(reader), case)
        folded = folded_page(html)
        assert "viktor" not in folded
        assert "hale" not in folded
        assert folded.count("[hidden 1]") >= SPELLINGS + 6  # + the list of terms
    # The stored record is unchanged, and the term itself is encrypted.
    redaction = Redaction.objects.get()
    assert b"viktor" not in bytes(redaction.term_encrypted).lower()
    assert AuditEvent.objects.filter(action="case.redact", actor=owner).count() == 1


def test_the_text_around_a_hidden_term_stays_readable(case, owner, colleague):
    post_on_page(client_for(owner), case, "redactions", {"term": "Viktor Hale"})

    html = page_of(client_for(colleague), case)

    assert "A man calling himself [hidden 1] offered me money" in html
    assert "[hidden 1] came back today." in html
    assert "[hidden 1] card.txt" in html


def test_a_downloaded_file_is_named_without_the_hidden_term(case, owner, colleague):
    post_on_page(client_for(owner), case, "redactions", {"term": "viktor hale"})
    client = client_for(colleague)
    link = re.search(r'href="(/staff/cases/\d+/files/\d+/)"', page_of(client, case))

    response = client.get(link.group(1))

    assert response.status_code == 200
    assert "[hidden 1] card.txt" in response["Content-Disposition"]
    assert "viktor" not in response["Content-Disposition"].casefold()
    assert b"".join(response.streaming_content) == b"business card"


def test_an_analyst_cannot_show_a_hidden_term_again(case, owner, colleague):
    post_on_page(client_for(owner), case, "redactions", {"term": "Viktor Hale"})
    redaction = Redaction.objects.get()
    colleague_client = client_for(colleague)
    assert "/delete/" not in page_of(colleague_client, case)

    for analyst in (colleague_client, client_for(owner)):
        response = post_forged(analyst, case, f"redactions/{redaction.pk}/delete", {})
        assert response.status_code == 403
        assert "Only a supervisor can show a hidden detail again." in (
            response.content.decode()
        )
        assert "viktor" not in folded_page(response.content.decode())

    assert Redaction.objects.filter(pk=redaction.pk).exists() is True
    assert not AuditEvent.objects.filter(action="case.unredact").exists()


def test_a_supervisor_shows_a_term_again_and_it_is_audited(case, owner, chief):
    post_on_page(client_for(owner), case, "redactions", {"term": "Viktor Hale"})
    redaction = Redaction.objects.get()
    chief_client = client_for(chief)
    assert "viktor" not in folded_page(page_of(chief_client, case))

    response = post_on_page(chief_client, case, f"redactions/{redaction.pk}/delete", {})

    assert response.status_code == 302
    assert Redaction.objects.count() == 0
    event = AuditEvent.objects.get(action="case.unredact")
    assert (event.actor, event.target) == (chief, f"case:{case.pk}")
    assert event.detail == {"redaction": redaction.pk, "placeholder": 1}
    assert "Viktor Hale" in page_of(chief_client, case)


def test_several_terms_are_numbered_in_the_order_they_were_hidden(
    case, owner, colleague
):
    owner_client = client_for(owner)
    post_on_page(owner_client, case, "redactions", {"term": "floor plans"})
    post_on_page(owner_client, case, "redactions", {"term": "Viktor Hale"})

    html = page_of(client_for(colleague), case)

    assert "himself [hidden 2] offered me money for the [hidden 1]." in html
    assert "floor plans" not in folded_page(html)


def test_a_term_of_invisible_characters_is_refused(case, owner):
    response = post_on_page(
        client_for(owner), case, "redactions", {"term": "\u200bx\u200b\u00ad"}
    )

    assert response.status_code == 400
    assert "Enter between 2 and 200 characters to hide." in response.content.decode()
    assert Redaction.objects.count() == 0


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("Viktor Hale", "met VIKTOR HALE twice"),
        ("Viktor Hale", "met Ｖｉｋｔｏｒ　Ｈａｌｅ twice"),
        ("Viktor Hale", "met Viktor\n\t Hale twice"),
        ("Viktor Hale", "met Vik\u00adtor\u200d Hale twice"),
        ("Viktor Hale", "met \u202eViktor Hale\u202c twice"),
        ("José Ruiz", "met Jose\u0301 RUIZ twice"),
        ("Jose\u0301 Ruiz", "met JOSÉ Ruiz twice"),
        ("Straße 5", "met STRASSE 5 twice"),
        ("office", "met o\ufb03ce twice"),
        ("王小明", "met 王小明 twice"),
        ("O'Brien-Smith", "met o\u2019brien\u2013smith twice"),
        ("O\u2019Brien", "met O'BRIEN twice"),
    ],
)
def test_spellings_of_a_term_are_all_hidden(term, text):
    hidden = Redactor([term])(text)

    assert hidden.startswith("met ")
    assert hidden.endswith(" twice")
    assert "[hidden 1]" in hidden
    assert folded_page(term) not in folded_page(hidden)
    assert "brien" not in hidden.casefold()
