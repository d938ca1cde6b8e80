"""Against a real server: nothing readable or identifying is written to disk."""

import re
import uuid

import requests

from tipline.conftest import PASSWORD, form_tokens, receipt_in

FORWARDED_FOR = "203.0.113.77"


def files_containing(root, needles):
    """Every (file, needle) where a needle's bytes appear in a file under ``root``."""
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [(str(path), n) for n in needles if n.encode() in data]
    return found


def post_page_form(session, base, page, action, data):
    html = session.get(base + page).text
    return session.post(base + action, data={**form_tokens(html), **data})


def test_no_plaintext_and_no_reporter_identifiers_on_disk(live_tipline):
    marker = f"MARKER-{uuid.uuid4().hex}"
    agent = f"ReporterProbe/{uuid.uuid4().hex}"
    base = live_tipline.url
    reporter = requests.Session()
    reporter.headers.update(
        {
            "User-Agent": agent,
            "X-Forwarded-For": FORWARDED_FOR,
            "X-Real-IP": FORWARDED_FOR,
        }
    )

    response = post_page_form(
        reporter,
        base,
        "/report/approach/",
        "/report/approach/",
        {"what_happened": f"{marker} offered cash", "where": f"{marker} harbour"},
    )
    assert response.status_code == 200
    receipt = receipt_in(response.text)
    followup = post_page_form(
        reporter, base, "/followup/", "/followup/", {"receipt": receipt}
    )
    message = {
        **form_tokens(followup.text),
        "receipt": receipt,
        "body": f"{marker} reporter message",
    }
    assert reporter.post(base + "/followup/message/", data=message).status_code == 200

    staff = requests.Session()
    login = post_page_form(
        staff,
        base,
        "/staff/login/",
        "/staff/login/",
        {"username": "analyst", "password": PASSWORD},
    )
    assert login.url.endswith("/staff/"), login.text[:500]
    case_url = re.search(r'href="(/staff/cases/\d+/)"', login.text).group(1)
    case_page = staff.get(base + case_url)
    assert f"{marker} offered cash" in case_page.text
    reply = post_page_form(
        staff, base, case_url, case_url + "reply/", {"body": f"{marker} staff reply"}
    )
    assert f"{marker} staff reply" in reply.text

    # The scan does reach the database: clear metadata such as the category is there.
    assert files_containing(live_tipline.data_dir, ["national-security"]) != []
    needles = [
        marker,
        agent,
        FORWARDED_FOR,
        "127.0.0.1",
        receipt.replace(" ", ""),
        receipt,
        PASSWORD,
    ]
    assert files_containing(live_tipline.data_dir, needles) == []
    logs = live_tipline.logs()
    for needle in [marker, agent, FORWARDED_FOR, receipt.replace(" ", "")]:
        assert needle not in logs
