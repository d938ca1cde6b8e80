"""Off-boarding against a real server (issue 12, point 4): `tipline staff` run as
an operator runs it, while the person's browser keeps its cookies."""

import requests

from testkit.helpers import PASSWORD, form_tokens

WORDS = "A man asked for the floor plans of building four at the naval laboratory."


def sign_in(base: str) -> requests.Session:
    browser = requests.Session()
    html = browser.get(base + "/staff/login/").text
    response = browser.post(
        base + "/staff/login/",
        data={**form_tokens(html), "username": "analyst", "password": PASSWORD},
    )
    assert response.status_code == 200
    assert response.url.rstrip("/").endswith("/staff")
    return browser


def copy_of(browser: requests.Session) -> requests.Session:
    thief = requests.Session()
    thief.cookies.update(browser.cookies)
    return thief


def signed_out(browser: requests.Session, url: str) -> bool:
    response = browser.get(url, allow_redirects=False)
    return (
        response.status_code == 302 and "/staff/login/" in response.headers["Location"]
    )


def test_old_cookies_stop_working_on_the_real_server(live_tipline):
    base = live_tipline.url
    reporter = requests.Session()
    html = reporter.get(base + "/report/approach/").text
    reporter.post(
        base + "/report/approach/", data={**form_tokens(html), "what_happened": WORDS}
    )
    case = base + "/staff/cases/1/"
    live_tipline.run("createuser", "keeper", "--role", "analyst", "--team", "fraud")
    browser = sign_in(base)
    assert WORDS in browser.get(case).text
    thief = copy_of(browser)

    moved = live_tipline.run("staff", "move", "analyst", "--team", "fraud").stdout

    assert "removed 1 case key(s)" in moved
    assert signed_out(browser, case)
    assert signed_out(thief, case)
    again = sign_in(base)
    assert again.get(case, allow_redirects=False).status_code == 404

    thief = copy_of(again)
    live_tipline.run("staff", "deactivate", "analyst")
    live_tipline.run("staff", "reactivate", "analyst")
    for old in (again, thief):
        assert signed_out(old, base + "/staff/")
    assert live_tipline.run("audit", "verify").returncode == 0
