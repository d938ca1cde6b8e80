"""The worker clears expired sessions, some of which hold an encrypted private
key (issue 12, point 9)."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from testkit.helpers import staff_login
from tipline import schedule
from tipline.accounts.session_keys import SESSION_FIELD

pytestmark = pytest.mark.django_db(transaction=True)
TASK = "tipline.accounts.tasks.clear_expired_sessions"


def signed_in(user):
    client = Client(enforce_csrf_checks=True)
    staff_login(client, user)
    assert client.get("/staff/").status_code == 200
    return client


def test_the_worker_deletes_expired_sessions_and_keeps_live_ones(owner, colleague):
    expired, live = signed_in(owner), signed_in(colleague)
    expired_key = expired.session.session_key
    row = Session.objects.get(pk=expired_key)
    assert SESSION_FIELD in row.get_decoded()
    Session.objects.filter(pk=expired_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    assert TASK in schedule.enqueue_due()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    result = DBTaskResult.objects.get(task_path=TASK)
    assert (result.status, result.return_value) == ("SUCCESSFUL", 1)
    assert Session.objects.filter(pk=expired_key).exists() is False
    assert Session.objects.filter(pk=live.session.session_key).exists() is True
    assert live.get("/staff/").status_code == 200
    response = expired.get("/staff/")
    assert response.status_code == 302
    assert response.url.startswith("/staff/login/")


def test_it_runs_hourly():
    intervals = {task.module_path: every for task, every in schedule.PERIODIC}

    assert intervals[TASK] == timedelta(hours=1)
