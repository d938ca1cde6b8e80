"""The settings area's one navigation, and the staff header's one link into it."""

from html.parser import HTMLParser

import pytest
from django.test import Client

from testkit.helpers import make_staff, post_form, staff_login
from tipline.accounts.models import Role
from tipline.audit.models import AuditEvent
from tipline.cases.models import RetentionPeriod
from tipline.profiles.models import Category
from tipline.triage.models import PriorityRule, RoutingRule

pytestmark = pytest.mark.django_db

ROUTING = "/staff/settings/triage/"
RETENTION = "/staff/settings/retention/"
SITE = "/staff/settings/site/"
GUARDRAIL = "/staff/settings/guardrail/"
AUDIT_LOG = "/staff/audit/"
REWARDS = "/staff/settings/rewards/"
REWARD_PROPOSALS = "/staff/rewards/"
PAYOUTS = "/staff/rewards/payouts/"
RECORDS = "/staff/rewards/records/"
GUIDANCE = "/staff/settings/guidance/"
BULLETINS = "/staff/bulletins/"
# Every administrator's settings page, in the navigation's order.
NAV = [
    ("Routing and priority", ROUTING),
    ("Retention", RETENTION),
    ("Site", SITE),
    ("Guardrail", GUARDRAIL),
    ("Rewards", REWARDS),
    ("Reward records", RECORDS),
    ("Bulletins", BULLETINS),
    ("Audit log", AUDIT_LOG),
    ("Guidance pages", GUIDANCE),
]
SETTINGS_PATHS = {path for _, path in NAV}
# Reward records are finance's and approvers' too; bulletins communications'.
ADMINISTRATORS_ONLY = SETTINGS_PATHS - {RECORDS, BULLETINS}


class Links(HTMLParser):
    """The links inside the first element matching ``tag`` and ``attrs``: their
    text, href and aria-current."""

    def __init__(self, tag: str, **attrs: str):
        super().__init__()
        self.tag, self.attrs = tag, attrs
        self.depth = 0  # > 0 while inside the element
        self.found = 0
        self.links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth:
            self.depth += tag == self.tag
        elif tag == self.tag and self.attrs.items() <= attrs.items():
            self.depth, self.found = 1, self.found + 1
        if self.depth and tag == "a":
            self.links.append(
                {
                    "text": "",
                    "href": attrs["href"],
                    "current": attrs.get("aria-current"),
                }
            )

    def handle_endtag(self, tag):
        if self.depth and tag == self.tag:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and self.links:
            self.links[-1]["text"] += data.strip()


def links_in(html: str, tag: str, **attrs: str) -> Links:
    parser = Links(tag, **attrs)
    parser.feed(html)
    return parser


def header_links(html: str) -> list[dict[str, str | None]]:
    return links_in(html, "header", **{"class": "site"}).links


@pytest.fixture
def admin(profile):
    return make_staff("admin", "triage", role=Role.ADMINISTRATOR)


@pytest.fixture
def admin_client(admin):
    client = Client(enforce_csrf_checks=True)
    staff_login(client, admin)
    return client


def nav_of(html: str) -> list[tuple[str, str, str | None]]:
    """The settings navigation's links: (text, href, aria-current)."""
    nav = links_in(html, "nav", **{"class": "settings", "aria-label": "Settings"})
    assert nav.found == 1, "a settings page has one settings navigation"
    return [(link["text"], link["href"], link["current"]) for link in nav.links]


@pytest.mark.parametrize(("label", "path"), NAV)
def test_each_settings_page_lists_every_page_and_marks_itself(
    admin_client, label, path
):
    response = admin_client.get(path)

    assert response.status_code == 200
    assert nav_of(response.content.decode()) == [
        (text, href, "page" if href == path else None) for text, href in NAV
    ]


def test_a_page_shown_again_with_errors_keeps_its_navigation(admin_client):
    refused_rule = post_form(
        admin_client,
        ROUTING,
        "/staff/settings/triage/rules/",
        {"kind": "keyword", "keyword": "  ", "weight": 5},
    )
    refused_period = post_form(admin_client, RETENTION, RETENTION, {"referred": "0"})

    assert refused_rule.status_code == 400
    assert ("Routing and priority", ROUTING, "page") in nav_of(
        refused_rule.content.decode()
    )
    assert refused_period.status_code == 400
    assert ("Retention", RETENTION, "page") in nav_of(refused_period.content.decode())
    assert not PriorityRule.objects.exists()
    assert not RetentionPeriod.objects.exists()


def test_the_page_after_saving_keeps_its_navigation(admin_client):
    saved = post_form(
        admin_client,
        ROUTING,
        "/staff/settings/triage/rules/",
        {"kind": "keyword", "keyword": "floor plans", "weight": 5},
        follow=True,
    )

    assert saved.redirect_chain == [(ROUTING, 302)]
    html = saved.content.decode()
    assert "Rule added; priorities were recalculated." in html
    assert ("Routing and priority", ROUTING, "page") in nav_of(html)
    assert PriorityRule.objects.get().keyword == "floor plans"


def test_administrators_have_one_settings_link_in_the_header(admin_client):
    for page in ("/staff/", ROUTING, RETENTION, AUDIT_LOG):
        html = admin_client.get(page).content.decode()
        into_settings = [
            (link["text"], link["href"])
            for link in header_links(html)
            if link["href"] in SETTINGS_PATHS
        ]
        assert into_settings == [("Settings", ROUTING)], page


@pytest.mark.parametrize("role", [Role.ANALYST, Role.INVESTIGATOR, Role.SUPERVISOR])
def test_other_staff_are_refused_every_settings_page_and_see_no_link(
    profile, admin, role
):
    user = make_staff("someone", "triage", role=role)
    client = Client(enforce_csrf_checks=True)
    staff_login(client, user)
    inbox = client.get("/staff/")
    csrf = inbox.cookies["csrftoken"].value
    rule = PriorityRule.objects.create(kind="keyword", keyword="drone", weight=3)
    approach = Category.objects.get(profile=profile, slug="approach")
    routes_before = list(RoutingRule.objects.values_list("category", "team"))
    events_before = AuditEvent.objects.count()

    gets = [
        client.get(path)
        for path in (
            *SETTINGS_PATHS,
            REWARD_PROPOSALS,
            PAYOUTS,
            AUDIT_LOG + "?action=x",
        )
    ]
    posts = [
        client.post(path, {"csrfmiddlewaretoken": csrf, **data})
        for path, data in [
            (
                "/staff/settings/triage/route/",
                {"category": approach.pk, "team": user.team.pk},
            ),
            ("/staff/settings/triage/rules/", {"kind": "age", "weight": 9}),
            (f"/staff/settings/triage/rules/{rule.pk}/delete/", {}),
            (RETENTION, {"unfounded": 1, "confirm": "on"}),
        ]
    ]

    assert [r.status_code for r in gets + posts] == [404] * (len(SETTINGS_PATHS) + 7)
    assert inbox.status_code == 200
    html = inbox.content.decode()
    assert [link for link in header_links(html) if link["text"] == "Settings"] == []
    assert not any(path in html for path in SETTINGS_PATHS)
    assert links_in(html, "nav", **{"class": "settings"}).found == 0
    # Nothing was changed, and no settings event was recorded.
    assert list(PriorityRule.objects.values_list("pk", "weight")) == [(rule.pk, 3)]
    assert list(RoutingRule.objects.values_list("category", "team")) == routes_before
    assert not RetentionPeriod.objects.exists()
    assert not AuditEvent.objects.filter(
        pk__gt=events_before, action__startswith="settings"
    ).exists()


def test_rewards_approvers_see_only_the_reward_proposals_and_records(profile):
    approver = make_staff("approver", "triage", role=Role.REWARDS_APPROVER)
    client = Client(enforce_csrf_checks=True)
    staff_login(client, approver)

    page = client.get(REWARD_PROPOSALS)

    assert page.status_code == 200
    assert nav_of(page.content.decode()) == [
        ("Reward proposals", REWARD_PROPOSALS, "page"),
        ("Reward records", RECORDS, None),
    ]
    paths = [*ADMINISTRATORS_ONLY, PAYOUTS]
    assert [client.get(path).status_code for path in paths] == [404] * len(paths)


def test_finance_staff_see_only_the_payouts_and_records(profile):
    finance = make_staff("fiona", "finance", role=Role.FINANCE)
    client = Client(enforce_csrf_checks=True)
    staff_login(client, finance)

    page = client.get(PAYOUTS)

    assert page.status_code == 200
    assert nav_of(page.content.decode()) == [
        ("Payouts", PAYOUTS, "page"),
        ("Reward records", RECORDS, None),
    ]
    paths = [*ADMINISTRATORS_ONLY, REWARD_PROPOSALS]
    assert [client.get(path).status_code for path in paths] == [404] * len(paths)


def test_someone_not_signed_in_is_sent_to_sign_in_from_every_settings_page(profile):
    client = Client(enforce_csrf_checks=True)

    for path in (*SETTINGS_PATHS, PAYOUTS):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url == f"/staff/login/?next={path}"
