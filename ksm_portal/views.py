import logging

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from groups.selectors import home_context

logger = logging.getLogger(__name__)


@require_GET
@never_cache
def healthz(request):
    """For load balancers and uptime checks: 200 when the database answers, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        # The details go to the log, not to an anonymous caller.
        logger.exception("Health check: the database did not answer")
        return JsonResponse(
            {"status": "error", "database": "unavailable", "reason": "database unavailable"},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
def home(request):
    return render(request, "home.html", home_context(request.user))


def server_error(request):
    """The 500 page, with the request id the logs and error reports carry, so a user's report
    ("kode kesalahan ...") can be found. It touches neither the database nor the session."""
    html = loader.get_template("500.html").render(
        {"request_id": getattr(request, "request_id", None)}
    )
    return HttpResponseServerError(html)
