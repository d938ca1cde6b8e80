"""Floods: junk is held or refused cheaply, staff keep working, real reports get
through; under a flood the minimum fill time rises (slowed, not dropped)."""

import base64
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.core import signing

from testkit import liveserver
from testkit.helpers import PASSWORD, form_tokens, receipt_in
from tipline.cases.models import Report

# More junk than the flood breaker's threshold in both web processes
# (FLOOD_REPORTS_PER_MINUTE, 300 each): were any of it stored, the breaker would
# trip and hold the real report, and the count would show it. Sixteen senders keep
# both processes busy throughout, so the inbox is watched under load. (It was
# 5,000: 40-80 s on the 2-core machine, proving no more.)
JUNK = 1_000
MIN_FILL_SECONDS = 3


class _IssuedAhead(signing.TimestampSigner):
    def timestamp(self) -> str:
        return signing.b62_encode(int(time.time()) + 120)


def signed_token(secret_key: str, *, just_issued: bool = False) -> str:
    """A genuine report-form token, as the server would have issued it now.

    ``just_issued``: stamped two minutes ahead, so the post counts as sent at once
    however long a loaded machine keeps it queued before the server reads it."""
    kind = _IssuedAhead if just_issued else signing.TimestampSigner
    signer = kind(key=secret_key, salt="tipline.form.report", fallback_keys=[])
    return signer.sign(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())


@pytest.mark.live
def test_a_flood_of_junk_stores_nothing_while_staff_and_reporters_carry_on(
    tmp_path, live_database
):
    live = liveserver.prepare(
        tmp_path,
        TIPLINE_PASSWORD=PASSWORD,
        TIPLINE_FORM_MIN_FILL_SECONDS=str(MIN_FILL_SECONDS),
        **live_database,
    )
    live.run("createuser", "analyst", "--role", "analyst", "--team", "triage")
    secret_key = (live.data_dir / "secrets" / "secret_key").read_text().strip()
    with liveserver.running(live):
        base = live.url
        probe = requests.Session()
        csrf = form_tokens(probe.get(base + "/report/approach/").text)
        cookie = {"csrftoken": probe.cookies["csrftoken"]}
        local = threading.local()

        def junk(n: int) -> int:
            data = {
                "csrfmiddlewaretoken": csrf["csrfmiddlewaretoken"],
                "what_happened": f"junk {n} " * 20,
            }
            kind = n % 3
            if kind == 0:
                data["token"] = "forged"  # a token nobody issued
            elif kind == 1:
                data["token"] = signed_token(secret_key)
                data["homepage"] = "http://spam.example"  # the honeypot
            else:
                data["token"] = signed_token(secret_key, just_issued=True)
            session = getattr(local, "session", None)
            if session is None:
                session = local.session = requests.Session()
                session.cookies.update(cookie)
            response = session.post(base + "/report/approach/", data=data, timeout=60)
            return response.status_code

        staff = requests.Session()
        html = staff.get(base + "/staff/login/").text
        staff.post(
            base + "/staff/login/",
            data={**form_tokens(html), "username": "analyst", "password": PASSWORD},
        )
        inbox_statuses, slowest = [], [0.0]
        flooding = threading.Event()
        flooding.set()

        def watch_inbox() -> None:
            while flooding.is_set():
                started = time.perf_counter()
                inbox_statuses.append(
                    staff.get(base + "/staff/", timeout=60).status_code
                )
                slowest[0] = max(slowest[0], time.perf_counter() - started)
                time.sleep(0.2)

        watcher = threading.Thread(target=watch_inbox)
        watcher.start()
        # A real reporter opens the form during the flood and sends it a little
        # later, as people do.
        reporter = requests.Session()
        form = form_tokens(reporter.get(base + "/report/approach/").text)
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=16) as pool:
            statuses = list(pool.map(junk, range(JUNK)))
            # However quickly the junk went, the reporter took longer than the
            # minimum fill time (a faster machine must not make them too quick).
            time.sleep(max(0, started + MIN_FILL_SECONDS + 1 - time.perf_counter()))
            real = reporter.post(
                base + "/report/approach/",
                data={**form, "what_happened": "A real report, sent mid-flood."},
                timeout=60,
            )
        took = time.perf_counter() - started
        flooding.clear()
        watcher.join()
        count = live.run(
            "manage",
            "shell",
            "-c",
            "from tipline.cases.models import Report; print(Report.objects.count())",
        ).stdout.split()[-1]

    print(f"{JUNK} junk posts in {took:.1f} s; slowest inbox {slowest[0]:.2f} s")
    assert set(statuses) == {400}
    assert real.status_code == 200
    assert receipt_in(real.text)
    assert count == "1"
    assert inbox_statuses
    assert set(inbox_statuses) == {200}


@pytest.mark.django_db
def test_under_a_flood_forms_must_stay_open_longer(
    browser_client, owner, settings, monkeypatch
):
    settings.FORM_MIN_FILL_SECONDS = 0
    settings.FLOOD_REPORTS_PER_MINUTE = 2
    settings.FLOOD_MIN_FILL_SECONDS = 20

    def send(answer):
        html = browser_client.get("/report/approach/").content.decode()
        tokens = form_tokens(html)
        return tokens, browser_client.post(
            "/report/approach/", {**tokens, "what_happened": answer}
        )

    for n in range(3):
        assert send(f"report {n}")[1].status_code == 200
    tokens, held = send("sent during the flood")

    assert held.status_code == 400
    assert "must be open for at least 20 seconds" in held.content.decode()
    assert Report.objects.count() == 3
    later = time.time() + 21
    monkeypatch.setattr(time, "time", lambda: later)
    sent = browser_client.post(
        "/report/approach/", {**tokens, "what_happened": "sent during the flood"}
    )
    assert sent.status_code == 200
    assert Report.objects.count() == 4
