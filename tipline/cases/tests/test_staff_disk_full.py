"""With the data directory's disk full, staff pages answer a clear 503 (like the
reporter's), not an error page, and work again once there is space (issue 12,
point 8)."""

import os

import pytest
import requests

from testkit import liveserver
from testkit.helpers import PASSWORD, form_tokens
from tipline.intake.tests.test_disk_full import fill, small_disk

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        os.geteuid() != 0,
        reason="mounting a small filesystem needs root (CI has it)",
    ),
]
OUT_OF_SPACE = "The service is out of storage space just now"


def sign_in(base):
    session = requests.Session()
    html = session.get(base + "/staff/login/").text
    response = session.post(
        base + "/staff/login/",
        data={**form_tokens(html), "username": "analyst", "password": PASSWORD},
        allow_redirects=False,
    )
    return session, response


def test_a_full_disk_on_sign_in_and_on_opening_a_case_is_a_clear_503(
    tmp_path, live_database
):
    if live_database:
        pytest.skip("the database's disk is the PostgreSQL server's here")
    with small_disk(tmp_path / "disk", "64m") as disk:
        live = liveserver.prepare(disk, TIPLINE_PASSWORD=PASSWORD)
        live.run("createuser", "analyst", "--role", "analyst", "--team", "triage")
        with liveserver.running(live):
            base = live.url
            reporter = requests.Session()
            html = reporter.get(base + "/report/approach/").text
            reporter.post(
                base + "/report/approach/",
                data={**form_tokens(html), "what_happened": "Seen at the gate."},
            )
            case_id = live.run(
                "manage",
                "shell",
                "-c",
                "from tipline.cases.models import Case; print(Case.objects.get().pk)",
            ).stdout.split()[-1]
            staff, signed_in = sign_in(base)
            assert signed_in.status_code == 302

            filler = fill(disk)
            _, refused = sign_in(base)
            opened = staff.get(f"{base}/staff/cases/{case_id}/")

            assert refused.status_code == 503
            assert OUT_OF_SPACE in refused.text
            assert opened.status_code == 503
            assert OUT_OF_SPACE in opened.text
            assert "Seen at the gate." not in opened.text  # not shown unaudited

            filler.unlink()
            _, again = sign_in(base)
            assert again.status_code == 302
            reopened = staff.get(f"{base}/staff/cases/{case_id}/")
            assert reopened.status_code == 200
            assert "Seen at the gate." in reopened.text
