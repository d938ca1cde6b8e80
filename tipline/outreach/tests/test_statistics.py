"""/statistics/: the reward programme's counts and sums per profile and year,
small counts withheld so that nobody can be singled out (issue 14, point 9).

Most tests make rewards rows directly (``approved`` below): one proposal with
its shares and offers per call, in the state the services would leave them.
Driving the services (a reported, closed case, a proposal, a second-factor
approval, acceptance and payout) for every one of dozens of rewards would take
minutes; ``test_a_reward_paid_through_the_services_is_counted`` drives them once
to prove the rows look like these.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from tipline.cases.models import Case
from tipline.profiles.loader import load_profile
from tipline.rewards import services
from tipline.rewards.models import (
    Offer,
    OfferStatus,
    Policy,
    Proposal,
    ProposalStatus,
    Share,
    Tier,
)

pytestmark = pytest.mark.django_db

PAGE = "/statistics/"
THIS_YEAR = timezone.localdate().year
LAST = THIS_YEAR - 1


def grade(slug="grade-1", profile="national-security"):
    return services.policy_for(profile).tiers.get(slug=slug)


def approved(
    tier, *, year=LAST, amounts=(100_000,), status=OfferStatus.OFFERED, approved_in=None
):
    """One proposal on ``tier`` approved in ``approved_in`` (``year`` unless
    given), shared in ``amounts``, each share offered and left in ``status``
    (accepted, and paid, in ``year``)."""
    at = datetime(year, 6, 1, 12, tzinfo=UTC)
    proposal = Proposal.objects.create(
        policy=tier.policy,
        tier=tier,
        amount=sum(amounts),
        currency=tier.currency,
        justification_encrypted=b"",
        proposed_at=at,
        status=ProposalStatus.APPROVED,
        decided_at=at,
        year=approved_in or year,
    )
    for amount in amounts:
        Offer.objects.create(
            share=Share.objects.create(proposal=proposal, amount=amount),
            amount=amount,
            currency=tier.currency,
            status=status,
            offered_at=at,
            answer_by=at + timedelta(days=60),
            answered_at=None if status == OfferStatus.OFFERED else at,
            paid_at=date(year, 7, 1) if status == OfferStatus.PAID else None,
        )
    return proposal


def paid(n, *, year=LAST, amount=100_000, tier=None, approved_in=None):
    return approved(
        tier or grade(),
        year=year,
        amounts=[amount] * n,
        status=OfferStatus.PAID,
        approved_in=approved_in,
    )


def commended(
    n,
    *,
    year=LAST,
    status=OfferStatus.ACCEPTED,
    profile="national-security",
    approved_in=None,
):
    return approved(
        grade("commendation", profile),
        year=year,
        amounts=[0] * n,
        status=status,
        approved_in=approved_in,
    )


def forget_rewards():
    Offer.objects.all().delete()
    Share.objects.all().delete()
    Proposal.objects.all().delete()


def main_of(response):
    """The page's reward part (the figures of reports come before it,
    test_case_statistics.py): the same figures give the same bytes."""
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('<div id="rewards">') : html.index("</main>")]


KEYS = {
    "Proposals approved": "approved",
    "Rewards paid": "paid",
    "Amount paid": "amount",
    "Commendations given": "commended",
    "已批准的提议": "approved",
    "已发放的奖励": "paid",
    "发放金额": "amount",
    "已给予的表彰": "commended",
}


def published(client, headers=None):
    """Each programme's years as {year: {figure: text}}, by the programme's
    title; the figures are named by their English labels."""
    soup = BeautifulSoup(main_of(client.get(PAGE, headers=headers)), "html.parser")
    found = {}
    for section in soup.select('section[aria-labelledby^="programme-"]'):
        years = {}
        for head in section.find_all("h4"):
            items = head.find_next_sibling("dl").find_all(["dt", "dd"])
            names = [dt.get_text(strip=True) for dt in items[0::2]]
            values = [dd.get_text(" ", strip=True) for dd in items[1::2]]
            years[int(head.get_text())] = {
                "year": head.get_text(),
                **{KEYS.get(n, n): v for n, v in zip(names, values, strict=True)},
            }
        found[section.h3.get_text(strip=True)] = years
    return found


def last_year(client):
    return published(client)["National security"][LAST]


# --- Suppression -------------------------------------------------------------------


def test_four_rewards_are_fewer_than_five_and_their_sum_is_not_shown(client, profile):
    paid(4, amount=123_457)

    row = last_year(client)

    assert row["paid"] == "fewer than 5"
    assert row["amount"] == "not shown"
    page = main_of(client.get(PAGE))
    assert "1234.57" not in page
    assert "4938.28" not in page  # nor the sum of the four


def test_five_rewards_are_shown_with_their_sum(client, profile):
    paid(5, amount=123_457)

    row = last_year(client)

    assert row["paid"] == "5"
    assert row["amount"] == "6172.85 CNY"


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, "0"), (1, "fewer than 5"), (4, "fewer than 5"), (5, "5"), (6, "6")],
)
def test_every_count_is_withheld_from_1_to_k_minus_1(client, profile, count, shown):
    paid(5, year=LAST - 2)  # so the years run to LAST even when ``count`` is 0
    if count:
        # Approved the year before, paid and accepted in LAST.
        paid(count, approved_in=LAST - 1)
        commended(count, approved_in=LAST - 1)
    for _ in range(count):
        approved(grade())  # offers not answered yet

    row = last_year(client)

    assert row["approved"] == shown
    assert row["paid"] == shown
    assert row["commended"] == shown
    assert row["amount"] == (
        "not shown" if shown == "fewer than 5" else f"{count * 1000}.00 CNY"
    )


def test_a_year_without_rewards_shows_zero_and_a_zero_amount(client, profile):
    paid(5, year=LAST - 2)

    lines = published(client)["National security"]

    assert sorted(lines) == [LAST - 2, LAST - 1, LAST]
    assert lines[LAST] == {
        "year": str(LAST),
        "approved": "0",
        "paid": "0",
        "amount": "0.00 CNY",
        "commended": "0",
    }
    assert lines[LAST - 2]["paid"] == "5"


@override_settings(STATISTICS_MIN_COUNT=3)
def test_the_threshold_is_a_setting(client, profile):
    paid(2, year=LAST)
    paid(3, year=LAST - 1)

    lines = published(client)["National security"]

    assert lines[LAST]["paid"] == "fewer than 3"
    assert lines[LAST - 1]["paid"] == "3"
    assert "fewer than 3" in main_of(client.get(PAGE))


def test_a_second_currency_is_withheld_on_its_own(client, profile):
    policy = services.policy_for("national-security")
    euros = Tier.objects.create(
        policy=policy,
        slug="euro",
        position=9,
        name={"en": "Euro"},
        criteria={"en": "Old"},
        currency="EUR",
        max_amount=10_000_000,
    )
    paid(5, amount=100_000)
    paid(1, amount=777_777, tier=euros)

    row = last_year(client)

    assert row["paid"] == "5 (CNY) fewer than 5 (EUR)"
    assert row["amount"] == "5000.00 CNY not shown"
    page = main_of(client.get(PAGE))
    assert "7777.77" not in page
    assert ">6<" not in page  # no count over both currencies


# --- No recovery by subtraction, or by watching ---------------------------------


def world(hidden_paid, hidden_amount, hidden_commended):
    """Two programmes over four years: shown cells, and in LAST - 1 hidden ones
    whose values the arguments choose."""
    load_profile("whistleblowing")
    paid(7, year=LAST, amount=50_000)
    paid(hidden_paid, year=LAST - 1, amount=hidden_amount)
    paid(5, year=LAST - 3, amount=250_000)
    commended(6, year=LAST)
    commended(hidden_commended, year=LAST - 1)
    commended(hidden_commended, year=LAST - 2, profile="whistleblowing")
    commended(5, year=LAST - 3, profile="whistleblowing")


@pytest.mark.parametrize(
    "other",
    [(1, 1, 1), (2, 999_999, 3), (4, 123_457, 4)],
)
def test_worlds_that_differ_only_in_withheld_cells_show_the_same_page(
    client, profile, other
):
    world(3, 400_000, 2)
    seen = main_of(client.get(PAGE))
    forget_rewards()
    world(*other)
    cache.clear()  # the page is cached for the month

    assert main_of(client.get(PAGE)) == seen
    # ... and the page still shows the cells around the hidden ones.
    assert published(client)["National security"][LAST]["paid"] == "7"
    assert "fewer than 5" in seen


def test_no_number_is_printed_but_one_figure_per_item(client, profile):
    world(3, 400_000, 2)
    soup = BeautifulSoup(main_of(client.get(PAGE)), "html.parser")
    # Each year's heading, list of figures and tiers' table (the last list is
    # "What is counted").
    for figures in soup.find_all("h4") + soup.find_all("dl")[:-1]:
        figures.decompose()
    for figures in soup.select("table.tiers"):
        figures.decompose()

    # Outside the figures: 0 and the threshold (in "above 0 but below 5") and
    # the last year published, never a total of years or programmes (7 + 3 + 5
    # rewards, 28000.00 CNY, ...) from which the hidden 3 could be subtracted.
    assert set(re.findall(r"[0-9]+(?:[.,][0-9]+)*", soup.get_text())) == {
        "0",
        "5",
        str(LAST),
    }
    # Inside: every year of both programmes, each item one figure of its own.
    lines = published(client)
    assert [sorted(years) for years in lines.values()] == [
        [LAST - 3, LAST - 2, LAST - 1, LAST]
    ] * 2
    for years in lines.values():
        for year, line in years.items():
            assert line.pop("year") == str(year)
            assert line.pop("amount", "not shown") in (
                "not shown",
                "0.00 CNY",
                "3500.00 CNY",
                "12500.00 CNY",
            )
            assert all(re.fullmatch("[0-9]+|fewer than 5", v) for v in line.values())


def test_the_running_year_is_not_published(client, profile):
    paid(5, year=LAST)
    before = main_of(client.get(PAGE))
    paid(1, year=THIS_YEAR, amount=987_654)
    commended(1, year=THIS_YEAR)
    cache.clear()  # the page is cached for the month

    # A reward paid today would change this year's figures by exactly its
    # amount; watching the page would then date it and price it.
    assert main_of(client.get(PAGE)) == before
    assert str(THIS_YEAR) not in before


# --- What counts ----------------------------------------------------------------------


@override_settings(STATISTICS_MIN_COUNT=1)
def test_only_accepted_commendations_are_given_and_paid_ones_count_once(
    client, profile
):
    commended(2, status=OfferStatus.ACCEPTED)
    commended(1, status=OfferStatus.PAID)
    commended(1, status=OfferStatus.DECLINED)
    commended(1, status=OfferStatus.WITHDRAWN)
    commended(1, status=OfferStatus.OFFERED)
    approved(grade(), amounts=[100_000], status=OfferStatus.ACCEPTED)
    approved(grade(), amounts=[100_000], status=OfferStatus.DECLINED)

    row = last_year(client)

    assert row["commended"] == "3"
    assert row["paid"] == "0"  # a paid commendation is not a reward paid
    assert row["approved"] == "7"


@override_settings(STATISTICS_MIN_COUNT=1)
def test_a_reward_paid_through_the_services_is_counted(client, profile, offer, finance):
    code = services.accept_offer(offer=offer)
    # Accepted last year, so a payment dated last year is not before it.
    accepted = datetime(LAST, 12, 30, 10, tzinfo=UTC)
    Offer.objects.filter(pk=offer.pk).update(answered_at=accepted)
    services.record_payout(
        user=finance,
        code=code,
        paid_on=date(LAST, 12, 31),
        method="bank_transfer",
        reference="T-1",
    )
    # Retention destroys the case; what was paid stays counted.
    Case.objects.filter(pk=offer.case_id).delete()

    row = last_year(client)

    assert row["paid"] == "1"
    assert row["amount"] == "3000.00 CNY"
    assert row["approved"] == "0"  # approved this year: not published yet


def test_a_commendation_only_programme_has_no_money_columns(client, profile):
    load_profile("whistleblowing")
    commended(5, profile="whistleblowing")

    html = main_of(client.get(PAGE))
    lines = published(client)["Workplace whistleblowing"]

    assert lines[LAST] == {
        "year": str(LAST),
        "approved": "fewer than 5",
        "commended": "5",
    }
    assert "This programme gives commendations only, no money." in html


def test_a_programme_with_nothing_yet_says_so(client, profile):
    services.policy_for("national-security")

    html = main_of(client.get(PAGE))

    assert "Nothing given up to the end of" in html
    assert "<h4>" not in html


def test_without_any_programme_the_page_says_nothing_was_given(client, profile):
    assert Policy.objects.count() == 0

    html = main_of(client.get(PAGE))

    assert "No reward or commendation has been given yet." in html


# --- The page -------------------------------------------------------------------------


def test_the_page_says_what_is_counted_and_why_numbers_are_hidden(client, profile):
    paid(1)

    html = main_of(client.get(PAGE))

    assert "What is counted" in html
    assert "A count above 0 but below 5 is shown as “fewer than 5”" in html
    assert "protects the people behind them" in html
    assert re.search(r"<script|style=", html) is None


def test_the_home_page_links_to_it(client, profile):
    assert f'href="{PAGE}"' in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("language", "title"),
    [("en", "National security"), ("zh-CN,zh;q=0.9", "国家安全")],
)
def test_both_languages_render(client, profile, language, title):
    paid(5, amount=100_000)

    response = client.get(PAGE, headers={"accept-language": language})

    lang = "en" if language == "en" else "zh-hans"
    assert f'<html lang="{lang}">' in response.content.decode()
    assert published(client, {"accept-language": language})[title][LAST]["amount"] == (
        "5000.00 CNY"
    )


def test_only_get_is_answered(client, profile):
    assert client.post(PAGE).status_code == 405


def many(programmes, years):
    """``programmes`` policies, each with six rewards paid, two commendations
    accepted and two proposals approved in each of ``years`` years."""
    at = datetime(LAST, 6, 1, tzinfo=UTC)
    policies = Policy.objects.bulk_create(
        Policy(profile_slug=f"programme-{n:02}") for n in range(programmes)
    )
    tiers = Tier.objects.bulk_create(
        Tier(
            policy=policy,
            slug=slug,
            position=1,
            name={"en": slug},
            criteria={"en": slug},
            currency="" if slug == "c" else "CNY",
            commendation_only=slug == "c",
        )
        for policy in policies
        for slug in ("money", "c")
    )
    proposals = Proposal.objects.bulk_create(
        Proposal(
            policy_id=tier.policy_id,
            tier=tier,
            amount=1_000,
            currency=tier.currency,
            justification_encrypted=b"",
            proposed_at=at,
            status=ProposalStatus.APPROVED,
            year=year,
        )
        for tier in tiers
        for year in range(LAST - years + 1, LAST + 1)
    )
    shares = Share.objects.bulk_create(
        Share(proposal=proposal, amount=1_000 if proposal.currency else 0)
        for proposal in proposals
        for _ in range(6 if proposal.currency else 2)
    )
    by_pk = {proposal.pk: proposal for proposal in proposals}
    Offer.objects.bulk_create(
        Offer(
            share=share,
            amount=share.amount,
            currency=by_pk[share.proposal_id].currency,
            status=OfferStatus.PAID if share.amount else OfferStatus.ACCEPTED,
            offered_at=at,
            answer_by=at,
            answered_at=at.replace(year=by_pk[share.proposal_id].year),
            paid_at=date(by_pk[share.proposal_id].year, 7, 1),
        )
        for share in shares
    )


@pytest.mark.parametrize("size", [2, 20])
def test_the_page_makes_no_query_per_programme_or_year(
    client, profile, django_assert_max_num_queries, size
):
    many(size, size)
    # Every page reads the Site row's updated_at (tipline.profiles.selectors): one
    # query once this process holds the row, which the first page reads.
    client.get("/")

    # The first request of the month computes every figure on the page: those
    # of reports (test_case_statistics.py) and the rewards' seven queries, and
    # the Site row every public page reads; later requests read the figures from
    # the cache.
    with django_assert_max_num_queries(19):
        lines = published(client)
    # Cached: the active profile (the view's and the page texts') and the Site
    # row's version, whatever the number of programmes and years.
    with django_assert_max_num_queries(3):
        assert published(client) == lines

    assert len(lines) == size
    assert all(len(years) == size for years in lines.values())
    assert {line["paid"] for years in lines.values() for line in years.values()} == {
        "6"
    }
