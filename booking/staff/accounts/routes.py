from flask import Blueprint

bp = Blueprint("staff_accounts", __name__)


@bp.get("/")
def index():
    return "accounts"
