"""Against a real server: nothing readable or identifying is written to disk."""

import os
import re
import uuid
from pathlib import Path

import requests

from testkit.helpers import PASSWORD, form_tokens, receipt_in

FORWARDED_FOR = "203.0.113.77"


def files_containing(root, needles):
    """Every (file, needle) where a needle's bytes appear in a file under ``root``."""
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [(str(path), n) for n in needles if n.encode() in data]
    return found


def run_sql_checkpoint():
    """Flush PostgreSQL's buffers to its data files, so the scan sees everything."""
    import psycopg

    with psycopg.connect(os.environ["TIPLINE_TEST_POSTGRES"], autocommit=True) as db:
        db.execute("CHECKPOINT")


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

    # 5 MB: larger than the size at which Django would normally spool to a temp file.
    evidence = (f"{marker} evidence line\n" * 100_000).encode()[: 5 * 1024 * 1024]
    html = reporter.get(base + "/report/approach/").text
    response = reporter.post(
        base + "/report/approach/",
        data={
            **form_tokens(html),
            "what_happened": f"{marker} offered cash",
            "where": f"{marker} harbour",
        },
        files={"files": ("notes.txt", evidence, "text/plain")},
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

    roots = [live_tipline.data_dir, live_tipline.temp_dir]
    if os.environ.get("TIPLINE_TEST_POSTGRES_DATA"):
        run_sql_checkpoint()
        # Table and WAL files; the server's own config names its listen address.
        pg_data = Path(os.environ["TIPLINE_TEST_POSTGRES_DATA"])
        roots += [pg_data / "base", pg_data / "pg_wal"]
    # The scan does reach the database: clear metadata such as the profile is there.
    assert any(files_containing(root, ["national-security"]) for root in roots)
    needles = [
        marker,
        agent,
        FORWARDED_FOR,
        "127.0.0.1",
        receipt.replace(" ", ""),
        receipt,
        PASSWORD,
    ]
    for root in roots:
        assert files_containing(root, needles) == []
    assert "notes.txt" in case_page.text
    logs = live_tipline.logs()
    for needle in [marker, agent, FORWARDED_FOR, receipt.replace(" ", "")]:
        assert needle not in logs
