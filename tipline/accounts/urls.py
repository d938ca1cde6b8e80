from django.urls import path

from tipline.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("logout/", views.logout, name="logout"),
    path("setup/<str:token>/", views.setup, name="setup"),
]
