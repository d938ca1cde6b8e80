"""A reward offer in the API for apps (issue 14, points 2 and 5): the wish sent
with a report, the offer with the report, accepting (the claim code in that answer
only), declining and the certificate, with the same refusals as the page."""

import json

import pytest
from django.test import Client

from tipline.cases.models import Case
from tipline.rewards import certificates
from tipline.rewards.models import OfferStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def app():
    return Client(enforce_csrf_checks=True)


def call(app, path, body, **headers):
    return app.post(
        f"/api/v1/{path}", body, content_type="application/json", headers=headers
    )


def send(app, **extra):
    token = app.get("/api/v1/tokens").json()["report"]
    answers = json.dumps({"what_happened": "Asked for the site plans."})
    data = {"category": "approach", "token": token, "answers": answers, **extra}
    return app.post("/api/v1/reports", data)


@pytest.mark.parametrize(("sent", "kept"), [("true", True), ("false", False)])
def test_the_wish_goes_with_the_report(app, owner, sent, kept):
    assert send(app, reward_wish=sent).status_code == 201

    assert Case.objects.get().reward_wish is kept


def test_a_malformed_wish_is_refused_and_nothing_is_stored(app, owner):
    response = send(app, reward_wish="yes please")

    assert response.status_code == 400
    assert response.json()["errors"]["reward_wish"] == [
        "Send reward_wish as true or false, or leave it out."
    ]
    assert not Case.objects.exists()


def test_no_offer_is_null(app, reported):
    assert call(app, "followup", {"receipt": reported}).json()["reward"] is None


def test_the_offer_comes_with_the_report_in_the_asked_language(app, reported, offer):
    reward = call(
        app, "followup", {"receipt": reported}, **{"Accept-Language": "zh-Hans"}
    ).json()["reward"]

    assert reward["state"] == "open"
    assert reward["amount"] == "3000.00 CNY"
    assert reward["tier"].startswith("物质奖励第一档")
    assert reward["payout_instructions"] == ""
    assert reward["certificate"] is False


def test_accepting_answers_the_claim_code_once(app, reported, offer):
    body = {"receipt": reported, "printed_name": "Li Wei", "language": "zh-hans"}
    accepted = call(app, "followup/reward/accept", body)

    assert accepted.status_code == 200
    code = accepted.json()["claim_code"]
    assert len(code.replace(" ", "")) == 28
    assert accepted.json()["reward"]["state"] == "accepted"
    assert accepted.json()["reward"]["payout_instructions"].startswith("Keep your")
    again = call(app, "followup/reward/accept", body)
    assert again.status_code == 400
    assert again.json()["errors"]["__all__"] == [
        "You have already answered this offer."
    ]
    assert code not in again.content.decode()
    assert code not in call(app, "followup", {"receipt": reported}).content.decode()

    pdf = call(app, "followup/reward/certificate", {"receipt": reported})
    assert pdf["Content-Type"] == "application/pdf"
    statement = certificates.verify_pdf(pdf.content).statement
    assert statement["name"] == "Li Wei"
    assert statement["languages"] == ["zh-hans"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("printed_name", "Li\u202eieW"), ("printed_name", "x" * 81), ("language", "de")],
)
def test_a_hostile_acceptance_is_refused(app, reported, offer, field, value):
    body = {"receipt": reported, field: value}
    response = call(app, "followup/reward/accept", body)

    assert response.status_code == 400
    assert response.json()["errors"]
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OFFERED


def test_declining_needs_confirmation(app, reported, offer):
    unconfirmed = call(
        app, "followup/reward/decline", {"receipt": reported, "confirm": False}
    )
    assert unconfirmed.status_code == 400
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OFFERED

    declined = call(
        app, "followup/reward/decline", {"receipt": reported, "confirm": True}
    )
    assert declined.json()["state"] == "declined"


def test_no_certificate_before_accepting_and_a_wrong_receipt_opens_nothing(
    app, reported, offer
):
    none = call(app, "followup/reward/certificate", {"receipt": reported})
    assert none.status_code == 400
    assert none.json()["errors"]["__all__"] == [
        "There is no certificate for this report."
    ]

    wrong = call(app, "followup/reward/accept", {"receipt": "1" * 28})
    assert wrong.status_code == 400
    assert "receipt" in wrong.json()["errors"]
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OFFERED
