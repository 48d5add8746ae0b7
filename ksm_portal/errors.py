"""Error reports: mail to ADMINS (Django's AdminEmailHandler, set in LOGGING) and, when
SENTRY_DSN is set, to any Sentry-compatible service (Sentry, GlitchTip, Bugsink).

Events carry the request id (the same as in the logs and the X-Request-ID header) and the
user's id, never form data, local variables (a NIK may be one) or user details.
"""

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration

from ksm_portal.logs import current_request_id


def _tag_request_id(event, hint):
    request_id = current_request_id()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def init_error_reports(dsn: str, *, environment: str, release: str | None = None):
    """Start sending errors to `dsn` (`stop_error_reports` sends what is queued and stops)."""
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration(), LoggingIntegration(event_level=None)],
        data_collection={"user_info": False, "http_bodies": [], "stack_frame_variables": False},
        traces_sample_rate=0.0,
        before_send=_tag_request_id,
    )


def stop_error_reports(timeout: float = 10) -> None:
    sentry_sdk.flush(timeout=timeout)
    sentry_sdk.get_client().close()
    sentry_sdk.init(dsn=None)  # a client without a DSN sends nothing
