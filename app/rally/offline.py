"""The card on the home screen and offline: the web app manifest, the service worker and
the page it shows when there is no network.

The service worker (app/static/js/sw.js) keeps a copy of this browser's card page in the
browser's Cache Storage. The card page itself stays ``Cache-Control: no-store`` (it holds
the recovery link, a key): no HTTP cache or proxy keeps it. Cache Storage is written by
the worker's own code, explicitly and only for ``/karte``; the page's answers tell it
whether to keep the copy or to forget it (``X-Card-Offline``).
"""

from flask import current_app, jsonify, render_template, send_from_directory, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from . import bp

# The header by which the card page tells the service worker what to do with its copy:
# "keep" (this is the browser's card: replace the copy) or "forget" (no card here, or a
# cookie that opens none: delete the copy and its QR image).
OFFLINE_HEADER = "X-Card-Offline"

# The manifest's colours, those of site.css: the header's red and the paper.
THEME_COLOUR = "#9b1c2c"
BACKGROUND_COLOUR = "#fbf7f0"


def offline_copy(response: BaseResponse, *, keep: bool) -> BaseResponse:
    """Tell the service worker to keep this card page offline, or to forget its copy."""
    response.headers[OFFLINE_HEADER] = "keep" if keep else "forget"
    return response


def icon(filename: str, size: int, purpose: str = "any") -> dict[str, str]:
    """One icon entry of the manifest."""
    return {
        "src": url_for("static", filename=f"img/{filename}"),
        "sizes": f"{size}x{size}",
        "type": "image/png",
        "purpose": purpose,
    }


@bp.get("/manifest.webmanifest")
def manifest() -> BaseResponse:
    """The web app manifest: "add to home screen" opens the card."""
    response = jsonify(
        {
            "name": _("Innenstadt-Rallye"),
            "short_name": _("Rallye"),
            "description": _("Deine Stempelkarte der Innenstadt-Rallye, auch offline."),
            "lang": "de",
            "dir": "ltr",
            "id": url_for("rally.card"),
            "start_url": url_for("rally.card"),
            "scope": url_for("office.home"),
            "display": "standalone",
            "theme_color": THEME_COLOUR,
            "background_color": BACKGROUND_COLOUR,
            "icons": [
                icon("icon-192.png", 192),
                icon("icon-512.png", 512),
                icon("icon-maskable-512.png", 512, "maskable"),
            ],
        }
    )
    response.mimetype = "application/manifest+json"
    response.cache_control.public = True
    response.cache_control.max_age = 24 * 3600
    return response


@bp.get("/sw.js")
def service_worker() -> BaseResponse:
    """The service worker, a static file served from the site's root so that its scope
    is the whole site; always revalidated, so that a new version reaches every phone."""
    static = current_app.static_folder
    assert static is not None  # noqa: S101 (the app has its static folder)
    response = send_from_directory(static, "js/sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = url_for("office.home")
    return response


@bp.get("/offline")
def offline() -> str:
    """What the service worker shows for a page it cannot fetch: stamping needs the
    network. Kept in the worker's cache when it installs."""
    return render_template("rally/offline.html")
