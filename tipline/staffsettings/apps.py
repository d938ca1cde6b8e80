from django.apps import AppConfig


class StaffSettingsConfig(AppConfig):
    name = "tipline.staffsettings"
    label = "staffsettings"

    def ready(self) -> None:
        from tipline.cases import panels
        from tipline.staffsettings.reward_panel import reward_panel

        # The case page shows the reward's state (cases cannot import rewards).
        panels.register(reward_panel)
