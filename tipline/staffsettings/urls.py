from django.urls import path

from tipline.staffsettings import audit_log, retention, routing

# The paths are those the pages had in their former apps, so bookmarks still work.
app_name = "staffsettings"
urlpatterns = [
    path("settings/triage/", routing.routing, name="routing"),
    path("settings/triage/route/", routing.set_route, name="set_route"),
    path("settings/triage/rules/", routing.add_rule, name="add_rule"),
    path(
        "settings/triage/rules/<int:rule_id>/delete/",
        routing.delete_rule,
        name="delete_rule",
    ),
    path("settings/retention/", retention.retention_settings, name="retention"),
    path("audit/", audit_log.browse, name="audit_log"),
]
