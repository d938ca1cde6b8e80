from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks import task


@task()
def clear_expired_sessions() -> int:
    """Hourly: delete expired sessions, as Django's ``clearsessions`` does.

    A staff session can hold the user's private key, encrypted under a key that
    lives only in their cookie. An expired one is useless to its owner, so it
    should not wait in the database for someone who later gets that cookie.
    Returns how many had expired (in the database session store).
    """
    expired = Session.objects.filter(expire_date__lt=timezone.now()).count()
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
    return expired
