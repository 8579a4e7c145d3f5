"""Flask extensions, created unbound and initialised in ``create_app``."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from commons.db import Base

db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
# Redis unreachable: limits are counted in this process's memory instead of failing requests
# (commons/auth/attempts.py does the same for the wrong-password counts).
limiter = Limiter(key_func=get_remote_address, default_limits=[], in_memory_fallback_enabled=True)
babel = Babel()
