"""Random and hostile input to the staff pages, signed in: never a 500, never a
stack trace, and a refused action changes nothing (issue 12, point 8)."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from testkit.helpers import form_tokens, make_staff, staff_login
from tipline.accounts.models import Role
from tipline.audit.models import AuditEvent
from tipline.cases.models import Case, Note

pytestmark = pytest.mark.django_db

FUZZ = settings(
    derandomize=True,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
# What a hand-edited query string or form holds: numbers past every column's
# range, dates past year 9999, Unicode digits, control characters, huge text.
hostile_value = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=60),
    st.integers().map(str),
    st.integers(min_value=2**31).map(str),
    st.sampled_from(
        [
            "",
            "\x00",
            "-1",
            "0",
            "9" * 40,
            "-9" * 20,
            "1e999",
            "²",
            "١٢",
            "9999-12-31",
            "10000-01-01",
            "0001-01-01",
            "2026-02-30",
            "me",
            "none",
            "all",
            "' OR 1=1 --",
            "A" * 5_000,
        ]
    ),
)


def assert_safe(response):
    assert response.status_code < 500, response.content.decode()[:500]
    body = response.content.decode(errors="replace")
    assert "Traceback" not in body
    assert 'File "/' not in body


@pytest.fixture
def staff(profile, owner):
    client = Client()
    staff_login(client, owner)
    return client


@pytest.fixture
def administrator(profile):
    client = Client()
    staff_login(client, make_staff("chief", "admins", Role.ADMINISTRATOR))
    return client


@pytest.fixture
def case(submit_report, owner):
    submit_report({"what_happened": "A stranger asked about the site."})
    return Case.objects.get()


INBOX = ["status", "category", "team", "assignee", "min_priority", "due", "sort"]
AUDIT = ["action", "actor", "target", "since", "until"]


@FUZZ
@given(
    query=st.dictionaries(st.sampled_from([*INBOX, "grouped", "page"]), hostile_value)
)
def test_the_inbox_filters_survive_anything(staff, case, query):
    assert_safe(staff.get("/staff/", query))


@FUZZ
@given(query=st.dictionaries(st.sampled_from([*AUDIT, "page"]), hostile_value))
def test_the_audit_filters_survive_anything(administrator, query):
    assert_safe(administrator.get("/staff/audit/", query))


ACTIONS = {
    "status": ["version", "status", "outcome"],
    "assign": ["version", "assignee"],
    "risk": ["version", "risk", "note"],
    "notes": ["token", "body"],
    "reply": ["token", "body"],
    "redactions": ["term"],
    "access": ["user"],
    "links": ["version", "other", "decision"],
}


@FUZZ
@given(
    action=st.sampled_from(sorted(ACTIONS)),
    values=st.lists(hostile_value, min_size=3, max_size=3),
    keep_version=st.booleans(),
)
def test_the_case_actions_survive_anything(staff, case, action, values, keep_version):
    page = staff.get(f"/staff/cases/{case.pk}/").content.decode()
    data = dict(zip(ACTIONS[action], values, strict=False))
    data["csrfmiddlewaretoken"] = form_tokens(page)["csrfmiddlewaretoken"]
    if keep_version and "version" in data:
        data["version"] = str(case.version)
    before = (Note.objects.count(), Case.objects.get().version)

    response = staff.post(f"/staff/cases/{case.pk}/{action}/", data)

    assert_safe(response)
    if response.status_code != 302:
        assert (Note.objects.count(), Case.objects.get().version) == before


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/staff/cases/99999999999999999999999/", 404),
        ("/staff/cases/9223372036854775808/", 404),
        ("/staff/cases/{case}/files/99999999999999999999/", 404),
        ("/staff/cases/{case}/access/99999999999999999999/revoke/", 404),
        # Refused before the id is read: only a supervisor may show a detail again.
        ("/staff/cases/{case}/redactions/99999999999999999999/delete/", 403),
    ],
)
def test_an_id_past_every_column_is_refused_plainly(staff, case, path, status):
    before = list(AuditEvent.objects.values_list("action", flat=True))
    path = path.format(case=case.pk)

    response = staff.get(path) if "files" in path else staff.post(path)

    assert response.status_code == status
    after = list(AuditEvent.objects.values_list("action", flat=True))
    assert after[: len(before)] == before
    assert not {"case.redact", "case.unredact", "case.revoke"} & set(after)


def test_an_over_large_priority_filter_is_a_clear_error(staff, case):
    response = staff.get("/staff/", {"min_priority": "9" * 40})

    assert response.status_code == 200
    assert "Ensure this value is less than or equal to" in response.content.decode()


def test_a_far_future_audit_date_is_a_clear_error(administrator):
    response = administrator.get("/staff/audit/", {"until": "9999-12-31"})

    assert response.status_code == 200
    assert "Ensure this value is less than or equal to" in response.content.decode()
