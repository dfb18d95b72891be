"""CSRF protection: Flask-WTF's token, plus a same-origin check that works with real browsers.

Flask-WTF's strict HTTPS mode refuses any POST without a Referer header. Browsers leave the
Referer out whenever a page's Referrer-Policy or a privacy setting says so, so that check
refused every form of a privacy-minded site served over HTTPS. Instead, as modern frameworks
do, trust the Origin header first (browsers send it on every cross-site POST, and ``null``
when they hide it), then the Referer, and refuse a request that either says came from another
site. A request with neither still needs the session's token, which another site cannot read.
"""

from urllib.parse import urlsplit

from flask import current_app, g, request
from flask_wtf.csrf import CSRFError, CSRFProtect


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def from_another_site() -> str | None:
    """Why this request looks cross-site, or None when it came from this site (or says nothing)."""
    # This site is the request's own origin, or the public address (a proxy that ends TLS but
    # is not declared in PROXY_FIX_X_PROTO makes the request look like plain HTTP).
    here = {
        (request.scheme, request.host.lower()),
        _origin(current_app.config["PUBLIC_BASE_URL"]),
    }
    origin = request.headers.get("Origin")
    if origin is not None:
        if origin == "null" or _origin(origin) not in here:
            return "The request came from another site."
        return None
    if request.referrer and _origin(request.referrer) not in here:
        return "The referrer does not match the host."
    return None


class SameOriginCSRFProtect(CSRFProtect):
    def protect(self, apply_exemptions: bool = False) -> None:
        super().protect(apply_exemptions=apply_exemptions)
        # csrf_valid is set only when the token was checked (not for exempt views or GETs).
        if g.get("csrf_valid") and (reason := from_another_site()):
            raise CSRFError(reason)
