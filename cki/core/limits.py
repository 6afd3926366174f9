"""Login rate limiting (Flask-Limiter). Storage is ``RATELIMIT_STORAGE_URI``."""
from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address)


def _login_rate():
    return current_app.config["LOGIN_RATE_LIMIT"]


#: Applied to the login form's POST and to the token endpoint.
login_limit = limiter.limit(_login_rate, methods=["POST"],
                            error_message="Te veel inlogpogingen; probeer het over een minuut opnieuw.")
