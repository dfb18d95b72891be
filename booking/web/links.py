"""Absolute links, built from PUBLIC_BASE_URL: the only way the app makes one.

Never from the request (``url_for(..., _external=True)``, ``request.host_url``): the Host
header is whatever the sender typed, so a forged one would put another site's address in a
password-reset email. This works outside a request too (commands, jobs).
"""

from urllib.parse import urlsplit

from flask import Flask, current_app


def base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def external_url(endpoint: str, **values: object) -> str:
    """The public address of ``endpoint`` (a full name such as ``"auth.reset_password"``)."""
    public = urlsplit(base_url())
    current_app.inject_url_defaults(endpoint, values)
    adapter = current_app.url_map.bind(
        public.netloc, script_name=public.path or "/", url_scheme=public.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def claim_url(token: str) -> str:
    return external_url("account.changes.claim", token=token)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["external_url"] = external_url
