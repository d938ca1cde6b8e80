from __future__ import annotations

from typing import ClassVar

from django.db import models


class Row(models.Model):
    title = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    # Django's default manager, spelled out: the type checker runs with the test
    # settings, where this benchmark-only app is not installed.
    objects: ClassVar[models.Manager[Row]] = models.Manager()

    def __str__(self) -> str:
        return self.title
