"""The recipients' side: the tracking pixel and the click redirect (no login: opened from a mail app)."""

from __future__ import annotations

import base64

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.cache import never_cache

from enishi.networks.decorators import allows_anonymous
from enishi.newsletters import services

# A transparent 1×1 GIF.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@never_cache
@allows_anonymous
def newsletter_open(request: HttpRequest, network_slug: str, delivery_token: str) -> HttpResponse:
    """Record the first open (the token of a delivery of this network; anything else is a 404)."""
    if not services.record_open(request.network.pk, delivery_token):  # type: ignore[attr-defined]
        raise Http404
    return HttpResponse(PIXEL, content_type="image/gif")


@never_cache
@allows_anonymous
def newsletter_click(request: HttpRequest, network_slug: str, delivery_token: str) -> HttpResponse:
    """Record the first click on a link and go to it: only to a URL that was in the newsletter,
    found by the link's number; nothing in the request names the destination."""
    token, _dash, position = delivery_token.rpartition("-")
    if not token or not position.isdigit():
        raise Http404
    url = services.record_click(request.network.pk, token, int(position))  # type: ignore[attr-defined]
    if url is None:
        raise Http404
    return HttpResponseRedirect(url)
