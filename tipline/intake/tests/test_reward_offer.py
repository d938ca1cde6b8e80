"""A reward offer on the reporter's follow-up page (issue 14, points 2, 5 and 7):
the wish on the form, the offer in the reporter's language, accepting (a claim
code shown once, the payout instructions, a certificate only the receipt opens
again), declining, and every refusal with a clear message and no change."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from testkit.helpers import form_tokens, post_form, receipt_in, staff_login
from tipline import crypto
from tipline.audit.models import AuditEvent
from tipline.cases.keys import data_key_for
from tipline.cases.models import Case
from tipline.rewards import certificates, claims, services
from tipline.rewards.models import Offer, OfferStatus
from tipline.rewards.tests.fixtures import key_of

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-Hans"}
CODE_RE = re.compile(r'id="claim-code"[^>]*>([0-9 ]+)<')


def open_report(client, receipt, **headers):
    return post_form(
        client, "/followup/", "/followup/", {"receipt": receipt}, **headers
    )


def accept(client, **fields):
    data = {"printed_name": "", "language": "en", "identity": "", **fields}
    return post_form(client, "/followup/", "/followup/reward/accept/", data)


def decline(client, confirm=True):
    data = {"confirm": "on"} if confirm else {}
    return post_form(client, "/followup/", "/followup/reward/decline/", data)


def accept_refusals():
    events = AuditEvent.objects.filter(action="reward.accept").order_by("pk")
    return [e.detail.get("refused") for e in events if "refused" in e.detail]


# --- The wish on the form -------------------------------------------------------


def test_the_form_asks_for_the_wish_and_says_identity_may_be_needed(browser_client):
    html = browser_client.get("/report/approach/").content.decode()

    assert 'name="reward_wish"' in html
    assert "Consider me for a reward or commendation" in html
    assert "may need you to give your identity later" in html


def test_a_ticked_wish_is_on_the_case_and_an_unticked_one_is_not(submit_report, owner):
    submit_report(
        {"what_happened": "Offered cash for badge photos.", "reward_wish": "yes"}
    )
    submit_report({"what_happened": "Asked about the shift rota twice."})

    wishes = list(Case.objects.order_by("pk").values_list("reward_wish", flat=True))
    assert wishes == [True, False]


@pytest.mark.parametrize("forged", ["true", "on", "1", "YES"])
def test_a_forged_wish_value_is_no_wish(submit_report, owner, forged):
    submit_report({"what_happened": "A drone over the yard.", "reward_wish": forged})

    assert Case.objects.get().reward_wish is False


# --- The offer on the follow-up page ---------------------------------------------


def test_the_offer_shows_what_is_offered_and_by_when_to_answer(
    browser_client, reported, offer
):
    html = open_report(browser_client, reported).content.decode()

    assert "A reward for your report" in html
    assert "Material reward, grade 1" in html
    assert "3000.00 CNY" in html
    assert "Offered: waiting for your answer" in html
    assert "Nobody will call or write to you" in html
    assert 'action="/followup/reward/accept/"' in html
    assert 'action="/followup/reward/decline/"' in html


def test_the_offer_is_in_the_reporters_language(browser_client, reported, offer):
    html = open_report(browser_client, reported, **ZH).content.decode()

    assert "物质奖励第一档" in html
    assert "线索对防范、制止和惩治间谍行为发挥了一定作用。" in html


def test_a_case_without_an_offer_shows_none(browser_client, reported):
    html = open_report(browser_client, reported).content.decode()

    assert 'id="reward"' not in html


# --- Accepting ---------------------------------------------------------------------


def test_accepting_shows_the_claim_code_once_with_the_instructions(
    browser_client, reported, offer
):
    open_report(browser_client, reported)
    page = accept(browser_client).content.decode()

    shown = CODE_RE.search(page).group(1)
    assert len(shown.replace(" ", "")) == 28
    assert "This code is shown only now" in page
    assert "Keep your claim code safe and secret" in page  # the policy's instructions
    assert "Accepted: waiting to be paid" in page
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED
    assert offer.claim_lookup == claims.claim_lookup(shown.replace(" ", ""))
    # Reloading shows the state, never the code again.
    again = browser_client.get("/followup/").content.decode()
    assert shown not in again
    assert "Accepted: waiting to be paid" in again


def test_the_claim_code_is_nowhere_in_the_database(browser_client, reported, offer):
    open_report(browser_client, reported)
    code = CODE_RE.search(accept(browser_client).content.decode()).group(1)
    digits = code.replace(" ", "")

    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 (our own table names)
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row)
                assert digits not in text, table
                assert code not in text, table


def test_the_code_pays_and_the_page_then_says_paid(
    browser_client, reported, offer, finance
):
    open_report(browser_client, reported)
    code = CODE_RE.search(accept(browser_client).content.decode()).group(1)

    services.record_payout(
        user=finance, code=code, paid_on=date(2026, 12, 2), method="cash", reference=""
    )

    html = browser_client.get("/followup/").content.decode()
    assert 'id="reward-paid"' in html
    assert "2 December 2026" in html or "Dec. 2, 2026" in html


def test_the_certificate_prints_the_chosen_name_and_verifies(
    browser_client, reported, offer
):
    open_report(browser_client, reported)
    page = accept(browser_client, printed_name="  Li Wei ", language="both")
    assert "Your certificate of commendation" in page.content.decode()

    response = post_form(
        browser_client, "/followup/", "/followup/reward/certificate/", {}, follow=False
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    found = certificates.verify_pdf(response.content)
    assert found.genuine is True
    assert found.statement["name"] == "Li Wei"
    assert found.statement["languages"] == ["en", "zh-hans"]
    # Downloading again gives the same document, not a second certificate.
    again = post_form(
        browser_client, "/followup/", "/followup/reward/certificate/", {}, follow=False
    )
    assert certificates.verify_pdf(again.content).statement == found.statement


def test_an_empty_name_prints_an_anonymous_member_of_the_public(
    browser_client, reported, offer
):
    open_report(browser_client, reported)
    accept(browser_client)
    response = post_form(
        browser_client, "/followup/", "/followup/reward/certificate/", {}, follow=False
    )

    assert certificates.verify_pdf(response.content).statement["name"] is None


def test_staff_who_read_the_case_cannot_open_the_certificate_code(
    browser_client, reported, offer, owner
):
    open_report(browser_client, reported)
    accept(browser_client, printed_name="Li Wei")
    offer.refresh_from_db()
    data_key = data_key_for(case=offer.case, user=owner, private_key=key_of(owner))

    assert claims.certificate_for(offer, data_key) is None
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(
            data_key,
            bytes(offer.certificate_sealed),
            context=offer.certificate_context(),
        )


def test_an_identity_is_kept_only_if_given_and_only_for_the_case(
    browser_client, reported, offer, owner
):
    open_report(browser_client, reported)
    accept(browser_client, identity="Wang Fang, account 6222 0000 1111")
    offer.refresh_from_db()
    data_key = data_key_for(case=offer.case, user=owner, private_key=key_of(owner))

    assert claims.read_identity(offer, data_key) == "Wang Fang, account 6222 0000 1111"
    assert b"Wang Fang" not in bytes(offer.identity_encrypted)
    event = AuditEvent.objects.filter(action="reward.accept").last()
    assert event.detail == {"certificate": True, "identity_given": True}


def test_no_identity_given_keeps_none(browser_client, reported, offer):
    open_report(browser_client, reported)
    accept(browser_client)
    offer.refresh_from_db()

    assert offer.identity_encrypted is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"printed_name": "Li\u202eieW"}, "cannot be printed"),
        ({"printed_name": "Li\u200dWei"}, "cannot be printed"),
        ({"printed_name": "x" * 81}, "at most 80 characters"),
        ({"identity": "y" * 501}, "at most 500 characters"),
        ({"identity": "bank\x00account"}, "Null characters are not allowed"),
        ({"identity": "bank\x1baccount"}, "cannot be kept"),
        ({"language": "fr"}, "Select a valid choice"),
    ],
)
def test_a_hostile_acceptance_is_refused_and_changes_nothing(
    browser_client, reported, offer, fields, message
):
    open_report(browser_client, reported)
    response = accept(browser_client, **fields)

    assert response.status_code == 400
    assert message in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OFFERED
    assert offer.claim_lookup == ""
    # What was typed stays in the form, so a retry needs no retyping.
    assert 'id="reward-accept-form"' in response.content.decode()


def test_a_retry_after_a_refusal_works(browser_client, reported, offer):
    open_report(browser_client, reported)
    accept(browser_client, printed_name="x" * 81)
    page = accept(browser_client, printed_name="Li Wei").content.decode()

    assert CODE_RE.search(page)


def test_a_second_acceptance_is_refused_and_audited(browser_client, reported, offer):
    open_report(browser_client, reported)
    first = CODE_RE.search(accept(browser_client).content.decode()).group(1)

    # The accept form is gone from the page; a replayed POST is refused.
    html = browser_client.get("/followup/").content.decode()
    response = browser_client.post(
        "/followup/reward/accept/",
        {**form_tokens(html), "printed_name": "", "language": "en", "identity": ""},
    )

    assert response.status_code == 400
    assert "You have already answered this offer." in response.content.decode()
    assert first not in response.content.decode()
    offer.refresh_from_db()
    assert offer.claim_lookup == claims.claim_lookup(first.replace(" ", ""))
    assert accept_refusals() == ["answered"]


def test_an_expired_offer_cannot_be_accepted(browser_client, reported, offer):
    Offer.objects.filter(pk=offer.pk).update(
        answer_by=timezone.now() - timedelta(minutes=1)
    )
    html = open_report(browser_client, reported).content.decode()
    assert "The time to answer this offer passed" in html
    assert 'id="reward-accept-form"' not in html

    response = browser_client.post(
        "/followup/reward/accept/",
        {**form_tokens(html), "printed_name": "", "language": "en", "identity": ""},
    )

    assert response.status_code == 400
    assert "The time to answer this offer has passed." in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OFFERED
    assert accept_refusals() == ["offer_expired"]


def test_a_withdrawn_offer_cannot_be_accepted(browser_client, reported, offer):
    Offer.objects.filter(pk=offer.pk).update(status=OfferStatus.WITHDRAWN)
    html = open_report(browser_client, reported).content.decode()
    assert "This offer was withdrawn." in html

    response = browser_client.post(
        "/followup/reward/accept/",
        {**form_tokens(html), "printed_name": "", "language": "en", "identity": ""},
    )

    assert "This offer was withdrawn." in response.content.decode()
    assert accept_refusals() == ["withdrawn"]


# --- Declining ---------------------------------------------------------------------


def test_declining_needs_the_box_then_declines(browser_client, reported, offer):
    open_report(browser_client, reported)

    unconfirmed = decline(browser_client, confirm=False)
    assert unconfirmed.status_code == 400
    assert "Tick the box to decline the offer." in unconfirmed.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OFFERED

    html = decline(browser_client).content.decode()
    assert "You declined this offer. Nothing will be paid." in html
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DECLINED


def test_after_declining_accepting_is_refused(browser_client, reported, offer):
    open_report(browser_client, reported)
    decline(browser_client)
    html = browser_client.get("/followup/").content.decode()

    response = browser_client.post(
        "/followup/reward/accept/",
        {**form_tokens(html), "printed_name": "", "language": "en", "identity": ""},
    )

    assert "You have already answered this offer." in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DECLINED


# --- Without the follow-up handle ---------------------------------------------------


def test_answers_without_signing_in_change_nothing(browser_client, reported, offer):
    html = open_report(browser_client, reported).content.decode()
    tokens = form_tokens(html)
    post_form(browser_client, "/followup/", "/followup/signout/", {})

    for action in ("accept", "decline", "certificate"):
        response = browser_client.post(
            f"/followup/reward/{action}/",
            {**tokens, "language": "en", "confirm": "on"},
        )
        assert response.redirect_chain[0] == ("/followup/", 303)
        assert "Open my report" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OFFERED


def test_another_reporter_cannot_answer_this_offer(
    browser_client, submit_report, reported, offer
):
    other = receipt_in(
        submit_report(
            {"what_happened": "Someone asked about our servers."}
        ).content.decode()
    )
    open_report(browser_client, other)

    response = accept(browser_client)

    assert 'id="claim-code"' not in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OFFERED


# --- What the case page shows ---------------------------------------------------------


def staff_case_page(client, user, case):
    staff_login(client, user)
    return client.get(f"/staff/cases/{case.pk}/").content.decode()


def test_the_case_page_shows_the_wish_the_offer_and_the_identity_given(
    client, browser_client, submit_report, owner
):
    submit_report(
        {"what_happened": "Paid to photograph the dock.", "reward_wish": "yes"}
    )
    case = Case.objects.get()

    html = staff_case_page(client, owner, case)

    assert "The reporter asked to be considered for a reward or commendation." in html
    assert "Propose a reward" not in html  # not substantiated yet


def test_the_case_page_shows_what_the_reporter_gave_after_accepting(
    client, browser_client, reported, offer, owner
):
    open_report(browser_client, reported)
    accept(browser_client, identity="Wang Fang, account 6222")

    html = staff_case_page(client, owner, offer.case)

    assert "The reporter did not ask to be considered for a reward." in html
    assert "Accepted" in html
    assert "Wang Fang, account 6222" in html
