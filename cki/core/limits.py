"""Login rate limiting (Flask-Limiter). Storage is ``RATELIMIT_STORAGE_URI``."""
from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address)

_MESSAGE = "Te veel inlogpogingen; probeer het later opnieuw."


def _login_rate():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_rate():
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _account() -> str:
    """The account a login attempt is for: the e-mail of the form or of the JSON body."""
    email = request.form.get("email")
    if email is None:
        body = request.get_json(silent=True)
        email = body.get("email") if isinstance(body, dict) else None
    return f"login-account:{str(email or '').strip().lower()}"


def _failed(response) -> bool:
    return response.status_code == 401


#: Applied to the login form's POST and to the token endpoint: every attempt counts per client
#: address; failed attempts count per account too, from whatever address they come.
login_limit = limiter.limit(_login_rate, methods=["POST"], error_message=_MESSAGE)
account_limit = limiter.limit(_account_rate, methods=["POST"], key_func=_account, deduct_when=_failed,
                              error_message=_MESSAGE)
