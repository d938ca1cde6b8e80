from django.urls import path

from tipline.triage import views

app_name = "triage"
urlpatterns = [
    path("settings/triage/", views.settings_page, name="settings"),
    path("settings/triage/route/", views.set_route, name="route"),
    path("settings/triage/rules/", views.add_rule, name="add_rule"),
    path(
        "settings/triage/rules/<int:rule_id>/delete/",
        views.delete_rule,
        name="delete_rule",
    ),
]
