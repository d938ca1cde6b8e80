"""Many reports at once against a real server: none fails, each is stored once."""

from concurrent.futures import ThreadPoolExecutor

import requests

from testkit.helpers import form_tokens, receipt_in

REPORTS = 60


def test_concurrent_submissions_all_succeed_and_are_stored_once(live_tipline):
    base = live_tipline.url

    def submit(n: int) -> str:
        session = requests.Session()
        html = session.get(base + "/report/approach/").text
        response = session.post(
            base + "/report/approach/",
            data={**form_tokens(html), "what_happened": f"concurrent report {n}"},
            timeout=60,
        )
        assert response.status_code == 200, response.text[:300]
        return receipt_in(response.text)

    with ThreadPoolExecutor(max_workers=24) as pool:
        receipts = list(pool.map(submit, range(REPORTS)))

    assert len(set(receipts)) == REPORTS
    count = live_tipline.run(
        "manage",
        "shell",
        "-c",
        "from tipline.cases.models import Report; print(Report.objects.count())",
    ).stdout.split()[-1]
    assert int(count) == REPORTS
    assert "database is locked" not in live_tipline.logs()
