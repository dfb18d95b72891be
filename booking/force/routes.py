from flask import Blueprint

bp = Blueprint("force", __name__)
