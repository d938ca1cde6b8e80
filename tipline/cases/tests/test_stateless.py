"""Two real web processes on one database: any process serves any request."""

import re

import requests

from testkit import liveserver
from testkit.helpers import PASSWORD, form_tokens, receipt_in


def post(session, base, page, action, data, files=None):
    html = session.get(base + page).text
    return session.post(base + action, data={**form_tokens(html), **data}, files=files)


def test_staff_and_reporter_can_switch_processes_at_every_step(live_tipline):
    first = live_tipline
    second = liveserver.start(liveserver.another_process(first, "second"))
    try:
        reporter, staff = requests.Session(), requests.Session()
        sent = post(
            reporter,
            first.url,
            "/report/approach/",
            "/report/approach/",
            {"what_happened": "Someone asked about shift patterns"},
        )
        receipt = receipt_in(sent.text)

        # Signed in on the first process; the unlocked key works on the second.
        inbox = post(
            staff,
            first.url,
            "/staff/login/",
            "/staff/login/",
            {"username": "analyst", "password": PASSWORD},
        )
        case_url = re.search(r'href="(/staff/cases/\d+/)"', inbox.text).group(1)
        case_page = staff.get(second.url + case_url)
        assert "Someone asked about shift patterns" in case_page.text
        reply = post(
            staff, second.url, case_url, case_url + "reply/", {"body": "Which shifts?"}
        )
        assert "Which shifts?" in reply.text

        # The reporter follows up on the second process and answers on the first.
        followup = post(
            reporter, second.url, "/followup/", "/followup/", {"receipt": receipt}
        )
        assert "Which shifts?" in followup.text
        answer = reporter.post(
            first.url + "/followup/message/",
            data={
                **form_tokens(followup.text),
                "receipt": receipt,
                "body": "Night shifts",
            },
        )
        assert "Your message was sent." in answer.text
        assert "Night shifts" in staff.get(second.url + case_url).text
    finally:
        second.stop()
