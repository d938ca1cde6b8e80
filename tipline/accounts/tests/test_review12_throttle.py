"""Review of issue 12, point 3: ways around the sign-in budgets, through the real
sign-in and password pages with CSRF enforced."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.test import Client

from testkit import liveserver
from testkit.helpers import PASSWORD, form_tokens, post_form, sign_in, staff_login
from tipline.accounts import throttle
from tipline.accounts.models import LoginFailure

pytestmark = pytest.mark.django_db

THROTTLED = "Too many failed sign-ins"


def padded(name, spaces):
    """``name`` after ``spaces`` blanks: the sign-in form strips them and signs in
    to ``name``; only the first 150 characters used to reach the counter."""
    return " " * spaces + name


def test_names_padded_past_150_characters_share_the_accounts_budget(owner):
    # Each padding leaves a different prefix in the first 150 characters ("",
    # "o", "ow", ...), and none of them names the account: each had a fresh
    # budget, and none was counted against the account.
    guesses = [padded("owner", spaces) for spaces in (150, 149, 148, 147, 146)]
    statuses = [
        sign_in(Client(enforce_csrf_checks=True), name, "wrong!").status_code
        for name in guesses
        for _ in range(throttle.ACCOUNT_LIMIT)
    ]

    assert statuses.count(200) == throttle.ACCOUNT_LIMIT
    assert statuses.count(429) == len(statuses) - throttle.ACCOUNT_LIMIT
    assert LoginFailure.objects.filter(user=owner).count() == throttle.ACCOUNT_LIMIT
    client = Client(enforce_csrf_checks=True)
    response = sign_in(client, "owner", PASSWORD)
    assert response.status_code == 429
    assert THROTTLED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_padded_name_signs_in_to_the_account(owner):
    """Why the padding matters: Django strips it and signs in to ``owner``."""
    client = Client(enforce_csrf_checks=True)

    assert sign_in(client, padded("owner", 200), PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_wrong_current_passwords_on_the_password_page_are_limited(owner):
    """Someone holding a stolen session cookie (not the password) guesses the
    current password on the password page: each wrong guess is counted, but the
    count was never checked there, so guessing went on without limit and the
    right guess took over the account."""
    client = Client(enforce_csrf_checks=True)
    staff_login(client, owner)
    page = "/staff/account/password/"
    for n in range(throttle.ACCOUNT_LIMIT + 3):
        response = post_form(
            client,
            page,
            page,
            {
                "current": f"guess {n}",
                "new": "a new pass 4 me!",
                "new_again": "a new pass 4 me!",
            },
        )
        assert response.status_code in (400, 429)

    response = post_form(
        client,
        page,
        page,
        {
            "current": PASSWORD,
            "new": "a new pass 4 me!",
            "new_again": "a new pass 4 me!",
        },
    )

    assert response.status_code == 429
    assert "Too many wrong passwords. Wait 15 minutes" in response.content.decode()
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD) is True


@pytest.mark.live
def test_guesses_sent_at_once_share_the_five_guess_budget(tmp_path, live_database):
    """The budget used to be checked before the password hash and counted after
    it, so guesses sent at once all passed the check (6 or 7 of 16 here, up to
    workers x threads). Each attempt is now counted before its hash."""
    live = liveserver.prepare(
        tmp_path,
        TIPLINE_PASSWORD=PASSWORD,
        TIPLINE_THREADS="4",  # docs/deployment.md's production example
        **live_database,
    )
    live.run("createuser", "owner", "--role", "analyst", "--team", "national-security")
    guesses = 16
    with liveserver.running(live):
        forms = []
        for _ in range(guesses):
            session = requests.Session()
            html = session.get(live.url + "/staff/login/", timeout=60).text
            forms.append((session, form_tokens(html)))
        together = threading.Barrier(guesses)

        def guess(n):
            session, tokens = forms[n]
            together.wait(30)
            return session.post(
                live.url + "/staff/login/",
                data={**tokens, "username": "owner", "password": f"no{n}"},
                allow_redirects=False,
                timeout=120,
            ).status_code

        with ThreadPoolExecutor(guesses) as pool:
            answers = list(pool.map(guess, range(guesses)))

    print(answers)
    assert answers.count(200) <= throttle.ACCOUNT_LIMIT
