"""The page that explains the quick exit honestly, with advice on browsing safely."""

from flask import render_template

from booking.public.routes import bp

# Where "Exit this page" goes: a neutral, everyday site.
QUICK_EXIT_URL = "https://www.bbc.co.uk/weather"


@bp.app_context_processor
def quick_exit_url() -> dict[str, str]:
    return {"quick_exit_url": QUICK_EXIT_URL}


@bp.get("/leaving-quickly")
def quick_exit_help():
    """What "Exit this page" does and does not do, and how to browse more safely."""
    return render_template("public/leaving_quickly.html")
