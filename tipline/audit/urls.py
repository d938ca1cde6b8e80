from django.urls import path

from tipline.audit import views

app_name = "audit"
urlpatterns = [path("audit/", views.browse, name="browse")]
