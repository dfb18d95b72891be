from flask import Blueprint

bp = Blueprint("staff_people", __name__)


@bp.get("/")
def find():
    return "people"
