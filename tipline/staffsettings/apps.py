from django.apps import AppConfig


class StaffSettingsConfig(AppConfig):
    name = "tipline.staffsettings"
    label = "staffsettings"
