from django import forms
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import path

from bench.baseline.models import Row


class RowForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(max_length=20_000)


def insert(request: HttpRequest) -> HttpResponse:
    form = RowForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    Row.objects.create(**form.cleaned_data)
    return HttpResponse("stored")


def form(request: HttpRequest) -> HttpResponse:
    # Hands out the CSRF cookie and token the benchmark posts back.
    return HttpResponse(get_token(request))


urlpatterns = [path("insert/", insert), path("form/", form)]
