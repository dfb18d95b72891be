"""Extensions, created unbound and initialised in create_app."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from booking.models.base import Base
from booking.web.csrf import SameOriginCSRFProtect

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = SameOriginCSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
