from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "tipline.profiles"
    label = "profiles"
