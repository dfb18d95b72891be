"""Leaving quickly: "Exit this page", which signs the person out and clears what the browser
keeps from this site, and the page that explains honestly what it does and does not do."""

import re

from flask import current_app, render_template, send_from_directory
from flask_login import current_user

from booking.auth import sessions as sign_in_sessions
from booking.database import unit_of_work
from booking.models import utcnow
from booking.public.blueprint import bp
from booking.services.notify.channels import CONTACT_PHONE
from booking.services.people import accounts

# Where "Exit this page" goes: a neutral, everyday site.
QUICK_EXIT_URL = "https://www.bbc.co.uk/weather"
# Asks the browser to forget this site's cookies (so the sign-in), stored data and cached pages,
# so Back cannot bring a personal page back from the browser's memory.
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


@bp.app_context_processor
def quick_exit_url() -> dict[str, str]:
    return {"quick_exit_url": QUICK_EXIT_URL}


@bp.app_context_processor
def office_phone() -> dict[str, str]:
    """The one office number (``CONTACT_PHONE``) every page gives, and its tel: form."""
    digits = re.sub(r"[^0-9+]", "", CONTACT_PHONE)
    tel = "+44" + digits[1:] if digits.startswith("0") else digits
    return {"contact_phone": CONTACT_PHONE, "contact_phone_tel": tel}


@bp.route("/exit", methods=["GET", "POST"])
def quick_exit():
    """Leave at once: sign out here, clear the site's data, and go to a neutral site.

    A plain link, so it works without JavaScript; a GET on purpose, because someone leaving
    in a hurry cannot wait for a form. Signing someone out is all a forged link could do.
    """
    if current_user.is_authenticated:
        _end_this_browsers_session()
        sign_in_sessions.sign_out()
    # A blank page that refreshes to the neutral site at once, rather than a redirect: a
    # refresh replaces this page in the history, and it works without JavaScript.
    response = current_app.make_response(render_template("public/exit.html", target=QUICK_EXIT_URL))
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    response.headers["Cache-Control"] = "no-store"
    return response


def _end_this_browsers_session() -> None:
    """End this browser's sign-in on the server too, so a copy of its cookie is useless; the
    person's sessions elsewhere carry on. Leaving must never fail: a database fault is logged
    and the browser is still told to forget the cookie."""
    token = sign_in_sessions.this_browser_token()
    if token is None:
        return
    try:
        with unit_of_work():
            accounts.end_browser_session(token, now=utcnow())
    except Exception:  # noqa: BLE001 - the person leaving comes first
        current_app.logger.exception("Could not end the session on the server at exit")


@bp.get("/leaving-quickly")
def quick_exit_help():
    """What "Exit this page" does and does not do, and how to browse more safely."""
    return render_template("public/leaving_quickly.html")


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on every site: answer it rather than log a 404."""
    return send_from_directory(
        current_app.static_folder or "static", "favicon.ico", mimetype="image/vnd.microsoft.icon"
    )
