from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "tipline.outreach"
    label = "outreach"
