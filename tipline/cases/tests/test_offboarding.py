"""Off-boarding removes access at once (issue 12, point 4): leaving a team, a role
change and deactivation take away the keys they gave and every session."""

import io
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from testkit.helpers import PASSWORD, make_staff, post_form, staff_login
from tipline.accounts import services as accounts
from tipline.accounts.models import Role, User
from tipline.accounts.services import default_team
from tipline.audit.models import AuditEvent
from tipline.audit.services import verify_chain
from tipline.cases import offboarding, workflow
from tipline.cases.models import Case, CaseKey, OriginalKey
from tipline.profiles.loader import forget_categories
from tipline.profiles.models import Category
from tipline.triage.models import RoutingRule

pytestmark = pytest.mark.django_db

TEXT = "A man asked me for the floor plans of building four near the main gate."


def staff(*args: str) -> str:
    out = io.StringIO()
    call_command("staff", *args, stdout=out)
    return out.getvalue()


def signed_in(user: User) -> Client:
    client = Client(enforce_csrf_checks=True)
    staff_login(client, user)
    return client


def stolen(client: Client) -> Client:
    """A second browser holding copies of ``client``'s cookies (session and key)."""
    thief = Client(enforce_csrf_checks=True)
    for name, morsel in client.cookies.items():
        thief.cookies[name] = morsel.value
    return thief


def is_signed_out(response) -> bool:
    return response.status_code == 302 and response.url.startswith("/staff/login/")


def route_to(team) -> None:
    """Send new reports in the sample category to ``team``."""
    RoutingRule.objects.update_or_create(
        category=Category.objects.get(slug="approach"), defaults={"team": team}
    )
    forget_categories()


def actions_on(target: str) -> list[str]:
    return list(
        AuditEvent.objects.filter(target=target)
        .order_by("pk")
        .values_list("action", flat=True)
    )


@pytest.fixture
def case(owner, colleague, submit_report) -> Case:
    submit_report({"what_happened": TEXT})
    return Case.objects.latest("pk")


@pytest.fixture
def supervisor(profile) -> User:
    return make_staff("boss", default_team().slug, Role.SUPERVISOR)


def test_a_user_moved_away_cannot_open_the_old_teams_cases(owner, outsider, case):
    client = signed_in(owner)
    assert client.get(f"/staff/cases/{case.pk}/").status_code == 200
    thief = stolen(client)

    output = staff("move", "owner", "--team", "elsewhere")

    assert "removed 1 case key(s)" in output
    assert "ended 1 session(s)" in output
    owner.refresh_from_db()
    assert owner.team.slug == "elsewhere"
    assert not CaseKey.objects.filter(case=case, user=owner).exists()
    # The old cookies, in the old browser and in a copy, sign nobody in.
    assert is_signed_out(client.get(f"/staff/cases/{case.pk}/"))
    assert is_signed_out(thief.get(f"/staff/cases/{case.pk}/"))
    # Signed in afresh, the case is as unknown as any other team's.
    fresh = signed_in(owner)
    response = fresh.get(f"/staff/cases/{case.pk}/")
    assert response.status_code == 404
    assert TEXT not in fresh.get("/staff/?status=all").content.decode()
    # The colleague who stayed keeps reading it.
    assert (
        signed_in(User.objects.get(username="colleague"))
        .get(f"/staff/cases/{case.pk}/")
        .status_code
        == 200
    )


def test_each_step_of_a_move_is_audited_and_the_chain_holds(owner, outsider, case):
    signed_in(owner)

    staff("move", "owner", "--team", "elsewhere", "--role", "investigator")

    user_steps = actions_on(f"user:{owner.pk}")
    assert user_steps[-3:] == ["user.team", "user.role", "user.sessions_ended"]
    team, role, sessions = AuditEvent.objects.filter(
        target=f"user:{owner.pk}", action__in=user_steps[-3:]
    ).order_by("pk")
    assert team.detail == {"from": default_team().slug, "to": "elsewhere"}
    assert role.detail == {"from": "analyst", "to": "investigator"}
    assert sessions.detail == {"sessions": 1}
    removed = AuditEvent.objects.get(
        target=f"case:{case.pk}", action="case.access.removed"
    )
    assert removed.detail == {
        "user": owner.pk,
        "team": default_team().slug,
        "unassigned": False,
    }
    assert verify_chain() is None


def test_an_assignee_who_leaves_is_unassigned(owner, outsider, case):
    workflow.assign_case(case=case, user=owner, assignee=owner, version=case.version)

    offboarding.move_user(user=owner, team=outsider.team, actor=None)

    case.refresh_from_db()
    assert case.assignee is None
    assert case.version == 2
    event = AuditEvent.objects.get(action="case.access.removed")
    assert event.detail["unassigned"] is True


def test_leaving_every_team_removes_the_keys_too(owner, case):
    output = staff("move", "owner", "--no-team")

    # The colleague still reads the case; with both gone, nobody could.
    assert "can be read by no one" not in output
    assert "WARNING: 1 report(s) can be read by no one" in staff(
        "deactivate", "colleague"
    )
    owner.refresh_from_db()
    assert owner.team is None
    assert not CaseKey.objects.filter(user=owner).exists()


def test_a_deactivated_then_reactivated_users_old_cookie_does_not_work(owner, case):
    client = signed_in(owner)
    thief = stolen(client)

    staff("deactivate", "owner")
    # While deactivated: no sign-in, and the cookies are dead.
    assert is_signed_out(client.get("/staff/"))
    response = post_form(
        Client(enforce_csrf_checks=True),
        "/staff/login/",
        "/staff/login/",
        {"username": "owner", "password": PASSWORD},
    )
    assert response.status_code == 200
    staff("reactivate", "owner")

    for browser in (client, thief):
        assert is_signed_out(browser.get("/staff/"))
        assert is_signed_out(browser.get(f"/staff/cases/{case.pk}/"))
    owner.refresh_from_db()
    assert owner.is_active is True
    assert not Session.objects.exists()
    assert actions_on(f"user:{owner.pk}")[-5:] == [
        "user.deactivated",
        "user.sessions_ended",
        "login.failed",
        "user.reactivated",
        "user.sessions_ended",
    ]
    # The team's past cases are not given back by reactivation.
    assert signed_in(owner).get(f"/staff/cases/{case.pk}/").status_code == 404


def test_a_session_made_while_deactivated_dies_at_reactivation(owner):
    # A sign-in that raced the deactivation left a session behind.
    owner.is_active = False
    owner.save()
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(owner.pk)
    store.create()
    other = import_module(settings.SESSION_ENGINE).SessionStore()
    other["unrelated"] = True
    other.create()

    offboarding.reactivate_user(user=owner, actor=None)

    assert list(Session.objects.values_list("session_key", flat=True)) == [
        other.session_key
    ]


def test_a_sign_in_waiting_for_its_second_factor_is_ended(supervisor):
    from testkit.helpers import enrol_authenticator

    enrol_authenticator(supervisor)
    waiting = Client(enforce_csrf_checks=True)
    response = post_form(
        waiting,
        "/staff/login/",
        "/staff/login/",
        {"username": "boss", "password": PASSWORD},
    )
    assert response.url == "/staff/login/code/"
    bystander = signed_in(make_staff("bystander", "elsewhere"))

    done = offboarding.deactivate_user(user=supervisor, actor=None)

    assert done.sessions_ended == 1
    assert waiting.get("/staff/login/code/").url == "/staff/login/"
    assert bystander.get("/staff/").status_code == 200


def test_explicit_grants_survive_a_move_and_are_listed(
    owner, outsider, supervisor, case, submit_report
):
    private = accounts.unlock_private_key(user=supervisor, password=PASSWORD)
    workflow.grant_access(
        case=case, supervisor=supervisor, private_key=private, grantee=outsider
    )
    # A case of the outsider's own team, which the move must take away.
    route_to(outsider.team)
    submit_report({"what_happened": "Someone films the guard rotation at night."})
    own = Case.objects.latest("pk")
    assert own.team == outsider.team

    accounts.get_or_create_team(slug="third")
    output = staff("move", "outsider", "--team", "third")

    assert f"case {case.pk} (team {default_team().slug}), granted by boss" in output
    kept = offboarding.explicit_grants(User.objects.get(pk=outsider.pk))
    assert [(key.case_id, key.granted_by_id) for key in kept] == [
        (case.pk, supervisor.pk)
    ]
    assert "granted by boss" in staff("grants", "outsider")
    moved = signed_in(User.objects.get(pk=outsider.pk))
    assert moved.get(f"/staff/cases/{case.pk}/").status_code == 200
    assert moved.get(f"/staff/cases/{own.pk}/").status_code == 404
    # A supervisor takes the grant away on the case page.
    boss = signed_in(supervisor)
    revoke = f"/staff/cases/{case.pk}/access/{outsider.pk}/revoke/"
    assert post_form(boss, f"/staff/cases/{case.pk}/", revoke, {}).status_code == 302
    assert moved.get(f"/staff/cases/{case.pk}/").status_code == 404
    assert "holds no grant beyond their team" in staff("grants", "outsider")


def test_a_supervisor_demoted_loses_the_originals(supervisor, submit_report, owner):
    submit_report(
        {
            "what_happened": TEXT,
            "keep_originals": "yes",
            "files": [SimpleUploadedFile("notes.txt", b"plans\n", "text/plain")],
        }
    )
    case = Case.objects.latest("pk")
    attachment = case.report.attachments.get()
    url = f"/staff/cases/{case.pk}/files/{attachment.pk}/original/"
    assert signed_in(supervisor).get(url).status_code == 200

    output = staff("role", "boss", "analyst")

    assert "removed 0 case key(s) and 1 original file key(s)" in output
    assert not OriginalKey.objects.filter(user=supervisor).exists()
    demoted = signed_in(User.objects.get(pk=supervisor.pk))
    assert demoted.get(url).status_code == 404
    # Still in the team: the case itself stays readable.
    assert demoted.get(f"/staff/cases/{case.pk}/").status_code == 200
    assert AuditEvent.objects.filter(
        action="user.originals.removed", detail__originals=1
    ).exists()


def test_refusals_change_nothing(owner, case):
    with pytest.raises(CommandError, match="No team 'nowhere'"):
        staff("move", "owner", "--team", "nowhere")
    with pytest.raises(CommandError, match="No staff member is called 'ghost'"):
        staff("deactivate", "ghost")
    with pytest.raises(CommandError, match="owner is active already"):
        staff("reactivate", "owner")
    staff("deactivate", "owner")
    events = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="owner is deactivated already"):
        staff("deactivate", "owner")
    assert AuditEvent.objects.count() == events
    assert "nothing to change" in staff("move", "owner", "--team", default_team().slug)


def test_an_escrow_grant_outside_the_team_is_listed_and_can_be_taken_away(
    owner, outsider, supervisor, case
):
    from tipline.accounts.escrow import parse_escrow_private_key
    from tipline.cases import recovery

    key_text = (settings.SECRETS_DIR / "escrow_private_key").read_text()
    recovery.grant_with_escrow(
        cases=[case],
        grantees=[outsider],
        escrow_private_key=parse_escrow_private_key(
            key_text, public_key_hex=settings.ESCROW_PUBLIC_KEY
        ),
    )
    accounts.get_or_create_team(slug="third")

    output = staff("move", "outsider", "--team", "third")

    assert f"case {case.pk} (team {default_team().slug}), granted by no super" in output
    boss = signed_in(supervisor)
    page = boss.get(f"/staff/cases/{case.pk}/").content.decode()
    revoke = f"/staff/cases/{case.pk}/access/{outsider.pk}/revoke/"
    assert f'action="{revoke}"' in page
    # The team's own members are not listed: their access comes with the team.
    assert f"/access/{owner.pk}/revoke/" not in page
    assert post_form(boss, f"/staff/cases/{case.pk}/", revoke, {}).status_code == 302
    assert not CaseKey.objects.filter(case=case, user=outsider).exists()
    refused = post_form(
        boss,
        f"/staff/cases/{case.pk}/",
        f"/staff/cases/{case.pk}/access/{owner.pk}/revoke/",
        {},
    )
    assert refused.status_code == 400
    assert CaseKey.objects.filter(case=case, user=owner).exists()


def test_a_demoted_administrator_keeps_no_django_flags(profile):
    admin = accounts.create_administrator(
        username="chief", password=PASSWORD, actor=None
    )
    assert (admin.is_staff, admin.is_superuser) == (True, True)

    staff("role", "chief", "analyst")

    admin.refresh_from_db()
    assert (admin.role, admin.is_staff, admin.is_superuser) == ("analyst", False, False)


def test_reactivation_says_how_to_give_the_teams_earlier_cases(owner, case):
    staff("deactivate", "owner")

    output = staff("reactivate", "owner")

    assert "ended 0 session(s)" in output
    assert "a supervisor grants each on its case page" in output
    assert "`tipline escrow grant`" in output
