from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path
from django.views import defaults

from enishi.accounts import views as account_views
from enishi.analytics import urls as analytics_urls
from enishi.comeback import urls as comeback_urls
from enishi.community import urls as community_urls
from enishi.coordination import urls as coordination_urls
from enishi.directory import urls as directory_urls
from enishi.events import urls as event_urls
from enishi.feedback import urls as feedback_urls
from enishi.intake import urls as intake_urls
from enishi.messaging import urls as messaging_urls
from enishi.networks import urls as network_urls
from enishi.newsletters import urls as newsletter_urls
from enishi.notifications import urls as notification_urls
from enishi.ops import views as ops_views
from enishi.privacy import urls as privacy_urls
from enishi.profiles import urls as profile_urls
from enishi.surveys import urls as survey_urls

admin.site.site_header = settings.ADMIN_SITE_HEADER
# The operator admin logs in through allauth: same rate limits and MFA as everyone else.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

# Each app contributes to the two network namespaces; list new apps here.
network_patterns = [
    *network_urls.urlpatterns,
    *privacy_urls.urlpatterns,
    *intake_urls.urlpatterns,
    *profile_urls.urlpatterns,
    *directory_urls.urlpatterns,
    *community_urls.urlpatterns,
    *messaging_urls.urlpatterns,
    *notification_urls.urlpatterns,
    *newsletter_urls.urlpatterns,
    *event_urls.urlpatterns,
    *comeback_urls.urlpatterns,
    *coordination_urls.urlpatterns,
    *survey_urls.urlpatterns,
    *feedback_urls.urlpatterns,
]
manage_patterns = [
    *analytics_urls.manage_urlpatterns,
    *network_urls.manage_urlpatterns,
    *privacy_urls.manage_urlpatterns,
    *intake_urls.manage_urlpatterns,
    *profile_urls.manage_urlpatterns,
    *directory_urls.manage_urlpatterns,
    *community_urls.manage_urlpatterns,
    *messaging_urls.manage_urlpatterns,
    *newsletter_urls.manage_urlpatterns,
    *event_urls.manage_urlpatterns,
    *comeback_urls.manage_urlpatterns,
    *coordination_urls.manage_urlpatterns,
    *survey_urls.manage_urlpatterns,
    *feedback_urls.manage_urlpatterns,
]


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The same dull 404 everywhere: no network name, logo or colour of the page that was asked for."""
    request.network = None  # type: ignore[attr-defined]
    request.membership = None  # type: ignore[attr-defined]
    return defaults.page_not_found(request, exception)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF failure, rendered with the request so the page shell knows who is there."""
    return render(request, "403_csrf.html", status=403)


handler404 = page_not_found

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", ops_views.healthz, name="healthz"),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("operator/", admin.site.urls),
    path("n/<slug:network_slug>/manage/", include((manage_patterns, "manage"))),
    path("n/<slug:network_slug>/", include((network_patterns, "network"))),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
