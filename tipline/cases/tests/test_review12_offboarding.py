"""Review of issue 12, point 4: a report that arrives while someone leaves its team.

Intake seals the new report's key to the team's members before its transaction
(``seal_for_team``, "to keep it short"), and the files are written in between. A
move or deactivation that commits in that window removes the leaver's keys to
the team's cases, but not to this one, whose keys are inserted afterwards from
the stale list: the person who left can read a case that arrived after they left.

The window is made deterministic with Django's own query instrumentation
(``connection.execute_wrapper``): as the report's transaction starts (its first
INSERT), after the keys were sealed and the files written, the administrator's
change runs first. Everything else is
the real form, the real services and the real case page."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from PIL import Image

from testkit.helpers import make_staff, staff_login
from tipline.accounts import services as accounts
from tipline.accounts.models import Role
from tipline.accounts.services import default_team
from tipline.cases import offboarding
from tipline.cases.models import Case, CaseKey, OriginalKey

pytestmark = pytest.mark.django_db


class ChangeAsTheReportIsStored:
    """Runs ``change`` once, just before the report's row is inserted."""

    def __init__(self, change):
        self.change, self.done = change, False

    def __call__(self, execute, sql, params, many, context):
        if not self.done and 'INSERT INTO "intake_report"' in sql:
            self.done = True
            self.change()
        return execute(sql, params, many, context)


@pytest.mark.parametrize("change", ["move", "deactivate"])
def test_someone_who_left_during_a_submission_gets_no_key_to_it(
    submit_report, owner, colleague, change
):
    elsewhere = accounts.get_or_create_team(slug="elsewhere")

    def leave():
        if change == "move":
            offboarding.move_user(user=owner, team=elsewhere, actor=None)
        else:
            offboarding.deactivate_user(user=owner, actor=None)

    race = ChangeAsTheReportIsStored(leave)
    with connection.execute_wrapper(race):
        response = submit_report({"what_happened": "A drone over the depot."})
    assert response.status_code == 200
    assert race.done is True
    case = Case.objects.get()
    # The colleague who stayed reads it; the one who left holds no key to it.
    assert CaseKey.objects.filter(case=case, user=colleague).exists() is True
    assert CaseKey.objects.filter(case=case, user=owner).exists() is False
    if change == "deactivate":
        offboarding.reactivate_user(user=owner, actor=None)
    client = Client(enforce_csrf_checks=True)
    staff_login(client, owner)
    assert client.get(f"/staff/cases/{case.pk}/").status_code == 404


def test_a_supervisor_demoted_during_a_submission_gets_no_key_to_its_originals(
    submit_report, owner, profile
):
    """The same window for the unscrubbed originals: they are sealed to the
    team's supervisors before the transaction. A supervisor made an analyst in
    the window kept the case (still a member) and, before, got the original's
    key too, which the original's page checks alone."""
    chief = make_staff("chief", default_team().slug, role=Role.SUPERVISOR)
    other_chief = make_staff("other_chief", default_team().slug, role=Role.SUPERVISOR)
    photo = io.BytesIO()
    Image.new("RGB", (32, 32), "teal").save(photo, "JPEG")

    def demote():
        offboarding.move_user(
            user=chief, team=chief.team, role=Role.ANALYST, actor=None
        )

    race = ChangeAsTheReportIsStored(demote)
    with connection.execute_wrapper(race):
        response = submit_report(
            {
                "what_happened": "Photographs of the gate.",
                "keep_originals": "yes",
                "files": [SimpleUploadedFile("gate.jpg", photo.getvalue())],
            }
        )
    assert response.status_code == 200
    assert race.done is True
    case = Case.objects.get()
    assert OriginalKey.objects.filter(user=other_chief).count() == 1
    assert OriginalKey.objects.filter(user=chief).exists() is False
    assert CaseKey.objects.filter(case=case, user=chief).exists() is True
