"""Structured request logs: one line per request with timing, status, network and user ids."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("enishi.request")


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        if request.path.startswith("/static/"):
            return response
        # The route pattern, not the path: paths can carry secrets (invitation tokens).
        match = getattr(request, "resolver_match", None)
        path = f"/{match.route}" if match is not None and match.route else request.path
        network = getattr(request, "network", None)
        user = getattr(request, "user", None)
        if getattr(request, "log_without_user", False):  # set by a view that must stay unlinkable
            user = None
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        logger.info(
            "%s %s %s %sms",
            request.method,
            path,
            response.status_code,
            duration_ms,
            extra={
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "network": network.slug if network is not None else None,
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
        return response
