"""The application's URLs plus /bench/floor/: the cheapest page Django can serve through the same
middleware, server and client. Pages are measured against it, so a figure says what the page costs
on top of the framework on this machine."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from enishi.urls import urlpatterns as application_patterns


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *application_patterns]
