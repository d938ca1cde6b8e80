"""Review of issue 12, point 5: spellings of a hidden name that people really
type, on the real case page of a real report."""

import pytest

from testkit.helpers import post_form
from tipline.cases.models import Case
from tipline.cases.tests.test_redaction import (
    client_for,
    folded_page,
    page_of,
    post_on_page,
)

pytestmark = pytest.mark.django_db

# One person named with accents and once without (phones and hurried reporters
# drop them), and a Turkish name written in Turkish capitals, whose dotted
# capital I folds to "i" plus a combining dot above.
REPORT = (
    "José Núñez asked about the floor plans. Later Jose Nunez called again. "
    "His colleague signs as İSMAİL YILMAZ; the card reads Ismail Yilmaz."
)


@pytest.fixture
def case(browser_client, owner, colleague):
    response = post_form(
        browser_client,
        "/report/approach/",
        "/report/approach/",
        {"what_happened": REPORT},
    )
    assert response.status_code == 200
    return Case.objects.get()


@pytest.mark.parametrize(
    ("term", "words"),
    [
        ("José Núñez", ("nunez", "núñez")),
        ("Jose Nunez", ("nunez", "núñez")),
        ("Ismail Yilmaz", ("yilmaz",)),
    ],
)
def test_a_hidden_name_is_masked_with_or_without_its_accents(
    case, owner, colleague, term, words
):
    before = folded_page(page_of(client_for(colleague), case))
    assert all(word in before for word in words)  # positive control

    response = post_on_page(client_for(owner), case, "redactions", {"term": term})
    assert response.status_code == 302

    html = page_of(client_for(colleague), case)
    folded = folded_page(html)
    for word in words:
        assert word not in folded
    assert "asked about the floor plans" in html
