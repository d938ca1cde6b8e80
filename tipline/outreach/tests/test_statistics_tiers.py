"""/statistics/: rewards paid per tier (issue 15, point 6). A tier's count is
a part of the year's rewards paid in its currency, so a small one is withheld
together with the next smallest, and each sum goes with its count."""

from __future__ import annotations

import csv
import io

import pytest
from bs4 import BeautifulSoup

from tipline.outreach.tests.test_statistics import LAST, PAGE, grade, main_of, paid

pytestmark = pytest.mark.django_db

GRADE_1 = "Material reward, grade 1 (up to CNY 10,000)"
GRADE_2 = "Material reward, grade 2 (CNY 10,000 to 30,000)"
GRADE_3 = "Material reward, grade 3 (CNY 30,000 to 100,000)"


def tiers_of(client, year=LAST):
    soup = BeautifulSoup(main_of(client.get(PAGE)), "html.parser")
    caption = soup.find("caption", string=f"Rewards paid by tier in {year}")
    table = caption.find_parent("table")
    return {
        tr.th.get_text(strip=True): [
            td.get_text(strip=True) for td in tr.find_all("td")
        ]
        for tr in table.tbody.find_all("tr")
    }


def year_of(client):
    soup = BeautifulSoup(main_of(client.get(PAGE)), "html.parser")
    head = soup.find("h4", string=str(LAST))
    items = head.find_next_sibling("dl").find_all(["dt", "dd"])
    return {
        dt.get_text(strip=True): dd.get_text(" ", strip=True)
        for dt, dd in zip(items[0::2], items[1::2], strict=True)
    }


def test_a_tier_of_two_cannot_be_subtracted_from_the_year(client, profile):
    paid(6, amount=100_000)
    paid(2, amount=1_500_000, tier=grade("grade-2"))

    year = year_of(client)
    tiers = tiers_of(client)

    assert year["Rewards paid"] == "8"
    assert year["Amount paid"] == "36000.00 CNY"
    assert tiers[GRADE_2] == ["fewer than 5", "not shown"]
    # 8 - 6 would give 2, 36000 - 6000 the 30000 paid on grade 2.
    assert tiers[GRADE_1] == ["not shown", "not shown"]
    assert tiers[GRADE_3] == ["0", "0.00 CNY"]
    page = main_of(client.get(PAGE))
    assert ">15000.00" not in page
    assert ">30000.00" not in page
    assert ">6000.00" not in page


def test_tiers_that_are_all_large_are_shown_with_their_sums(client, profile):
    paid(6, amount=100_000)
    paid(5, amount=1_500_000, tier=grade("grade-2"))

    tiers = tiers_of(client)

    assert tiers[GRADE_1] == ["6", "6000.00 CNY"]
    assert tiers[GRADE_2] == ["5", "75000.00 CNY"]


def test_the_csv_of_rewards_withholds_the_same(client, profile):
    paid(6, amount=100_000)
    paid(2, amount=1_500_000, tier=grade("grade-2"))

    response = client.get("/statistics/rewards.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8")[1:])))

    assert rows[0] == [
        "Year",
        "Programme",
        "Tier",
        "Currency",
        "Rewards paid",
        "Amount paid",
    ]
    by_tier = {row[2]: row[4:] for row in rows[1:] if row[0] == str(LAST)}
    assert by_tier["All tiers"] == ["8", "36000.00 CNY"]
    assert by_tier[GRADE_1] == ["not shown", "not shown"]
    assert by_tier[GRADE_2] == ["fewer than 5", "not shown"]
    amounts = [v for row in rows[1:] for v in row[4:]]
    assert "30000.00 CNY" not in amounts
