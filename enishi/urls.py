from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from enishi.accounts import views as account_views
from enishi.networks import urls as network_urls
from enishi.ops import views as ops_views
from enishi.privacy import urls as privacy_urls

admin.site.site_header = settings.ADMIN_SITE_HEADER
# The operator admin logs in through allauth: same rate limits and MFA as everyone else.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

# Each app contributes to the two network namespaces; list new apps here.
network_patterns = [*network_urls.urlpatterns, *privacy_urls.urlpatterns]
manage_patterns = [*network_urls.manage_urlpatterns, *privacy_urls.manage_urlpatterns]

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
