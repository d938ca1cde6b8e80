from django.urls import include, path

from tipline.api.views import api
from tipline.intake.views import change_language

urlpatterns = [
    path("", include("tipline.outreach.urls")),
    path("", include("tipline.intake.urls")),
    path("staff/", include("tipline.cases.urls")),
    path("staff/", include("tipline.accounts.urls")),
    path("staff/", include("tipline.staffsettings.urls")),
    path("language/", change_language, name="set_language"),
    path("api/v1/", api.urls),
]

handler400 = "tipline.outreach.views.bad_request"
handler404 = "tipline.outreach.views.not_found"
handler500 = "tipline.outreach.views.server_error"
