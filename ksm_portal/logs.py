"""Operations logging: one JSON object per line, each with the request id and the user.

`RequestIdMiddleware` gives every request an id (the proxy's X-Request-ID when it sends a
sane one, else a new one), returns it in the response's X-Request-ID header and keeps it, with
the request, in a context variable; `RequestContextFilter` adds `request_id`, `user` and
`path` to every log record made while the request is served, so a line in the logs, an error
mail and a Sentry event can be matched to the user's report ("kode kesalahan ...").
"""

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

_request = contextvars.ContextVar("ksm_request", default=None)
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
HEADER = "X-Request-ID"


def current_request_id() -> str | None:
    return getattr(_request.get(), "request_id", None)


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get(HEADER, "")
        request.request_id = offered if _SANE_ID.match(offered) else uuid.uuid4().hex
        token = _request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        response.headers[HEADER] = request.request_id
        return response


def _user_of(request) -> str | None:
    # Only a user the request has already loaded: logging must never query the database.
    user = getattr(request, "_cached_user", None)
    if user is None or not user.is_authenticated:
        return None
    return user.get_username()


class RequestContextFilter(logging.Filter):
    def filter(self, record):
        # django.request logs a response's status after the middleware has returned, passing
        # the request along; anything else logged while a request is served finds it here.
        request = getattr(record, "request", None) or _request.get()
        if not hasattr(record, "request_id"):
            record.request_id = getattr(request, "request_id", None)
        if not hasattr(record, "user"):
            record.user = _user_of(request) if request is not None else None
        if not hasattr(record, "path"):
            record.path = request.path if request is not None else None
        return True


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", "request_id", "user", "path", "exception"}`."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "user": getattr(record, "user", None),
            "path": getattr(record, "path", None),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
