"""A web process killed with SIGKILL in the middle of a submission leaves no partial
report, and the reporter's retry of the same form succeeds."""

import io
import json
import os
import signal
import threading
import time

import requests
from PIL import Image

from testkit.helpers import form_tokens, receipt_in

STATE = """
import io
import json
from django.core.files.storage import default_storage
from tipline.cases.models import Attachment, Report
from tipline.lib import storage
stored = set(storage.walk("evidence"))
rows = set()
for pair in Attachment.objects.values_list("blob_name", "original_blob_name"):
    rows |= {name for name in pair if name}
reports = list(Report.objects.values_list("pk", flat=True))
complete = all(hasattr(r, "case") and r.attachments.count() == 3
               for r in Report.objects.all())
print(json.dumps({"reports": len(reports), "complete": complete,
                  "missing": sorted(rows - stored), "orphans": len(stored - rows)}))
"""
SWEEP = """
from datetime import timedelta
from tipline.cases.evidence import sweep_orphans
print(sweep_orphans(older_than=timedelta(0)))
"""


def state(live):
    out = live.run("manage", "shell", "-c", STATE).stdout
    return json.loads(out.strip().splitlines()[-1])


def noisy_jpeg(side: int = 1400) -> bytes:
    """Random pixels: slow to re-encode, so the kill lands while work is going on."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(
        out, "JPEG", quality=95
    )
    return out.getvalue()


def test_a_killed_worker_leaves_nothing_partial_and_the_retry_succeeds(live_tipline):
    base = live_tipline.url
    photo = noisy_jpeg()
    files = [("files", (f"p{n}.jpg", photo, "image/jpeg")) for n in range(3)]
    # How long one whole submission takes here, to aim the kills inside it; the
    # second one, once the scrubbing sandbox has started its worker.
    for _ in range(2):
        warm_up = requests.Session()
        html = warm_up.get(base + "/report/approach/").text
        started = time.perf_counter()
        warm_up.post(
            base + "/report/approach/",
            data={**form_tokens(html), "what_happened": "warm-up"},
            files=files,
        )
        took = time.perf_counter() - started
    interrupted = 0
    for delay in (took * 0.15, took * 0.5, took * 0.8):
        session = requests.Session()
        html = session.get(base + "/report/approach/").text
        data = {**form_tokens(html), "what_happened": f"killed at {delay:.2f}s"}
        before = state(live_tipline)["reports"]
        outcome = {}

        def send(data=data, files=files, outcome=outcome, session=session):
            try:
                outcome["response"] = session.post(
                    base + "/report/approach/", data=data, files=files, timeout=60
                )
            except requests.ConnectionError as exc:
                outcome["error"] = exc

        sender = threading.Thread(target=send)
        sender.start()
        time.sleep(delay)
        for pid in live_tipline.worker_pids():
            os.kill(pid, signal.SIGKILL)
        sender.join(60)
        interrupted += "error" in outcome

        after = state(live_tipline)
        # Whole or nothing: a report is there with its case and all its files,
        # or it is not there at all; no row points to a missing file.
        assert after["reports"] in (before, before + 1)
        assert after["complete"]
        assert after["missing"] == []

        # The reporter presses the button again (same form, same token).
        for _ in range(50):  # the master restarts its workers
            try:
                retry = session.post(
                    base + "/report/approach/", data=data, files=files, timeout=60
                )
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        assert retry.status_code == 200
        assert receipt_in(retry.text)
        assert state(live_tipline)["reports"] == before + 1

    # The kill did land in the middle of submissions, not after them.
    assert interrupted >= 2
    # Files written by a killed submission are left for the orphan sweep.
    live_tipline.run("manage", "shell", "-c", SWEEP)
    final = state(live_tipline)
    assert final["orphans"] == 0
    assert final["missing"] == []
