from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tipline.api"
    label = "api"
