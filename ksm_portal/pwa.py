"""The installable web app: its manifest and its service worker, served by the site itself.

The worker is served at the site's root (/sw.js) so that its scope is the whole site; a worker
under /static/ could only see /static/. It keeps the pages that carry `data-offline-form`
(the meeting sheet, the record forms, the visit form) for when the phone has no connection,
and the static files they need; static/js/offline.js queues what is sent offline.
"""

import hashlib

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import PrefixNode, static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

THEME_COLOUR = "#198754"  # Bootstrap's success green, the navbar's colour


@require_safe
def manifest(request):
    response = JsonResponse(
        {
            "name": _("KSM Portal"),
            "short_name": _("KSM Portal"),
            "description": _("Books, meetings and visits of the village self-help groups."),
            "lang": get_language(),
            "start_url": reverse("home"),
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": THEME_COLOUR,
            "icons": [
                {"src": static("pwa/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("pwa/icon-512.png"), "sizes": "512x512", "type": "image/png"},
                {"src": static("pwa/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            ],
        },
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def service_worker(request):
    """The worker's script. `no-cache` makes the browser check it on every visit, so a new
    release reaches the phones; its version (a hash of the script) names its static cache."""
    prefix = PrefixNode.handle_simple("STATIC_URL")  # "/static/", as {% get_static_prefix %}
    script = render_to_string("pwa/sw.js", {"static_prefix": prefix}, request=request)
    version = hashlib.sha256(script.encode()).hexdigest()[:12]
    script = script.replace('var VERSION = "";', f'var VERSION = "{version}";', 1)
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response
