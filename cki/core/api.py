"""The JSON API under /api/v1: flask-smorest builds the OpenAPI document from the
marshmallow schemas; errors are JSON with field messages (422), 404 for unknown or
foreign ids."""
from flask import current_app, render_template, request
import flask_smorest
from flask_smorest import Api as _Api
from webargs.flaskparser import FlaskParser
from webargs.flaskparser import abort as webargs_abort
from werkzeug.exceptions import HTTPException

#: For public routes: ``@blp.doc(security=PUBLIC)`` (every other route needs a bearer token).
PUBLIC: list = []


class DutchParser(FlaskParser):
    """webargs' parser; its one message of its own (a body that is not JSON) in Dutch. The
    schemas' messages are Dutch through cki.core.schemas."""

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        webargs_abort(400, exc=error, messages={"json": ["De body is geen geldige JSON."]})


class Blueprint(flask_smorest.Blueprint):
    """The API's blueprints: flask-smorest's, parsing with :class:`DutchParser`."""

    ARGUMENTS_PARSER = DutchParser()


class Api(_Api):
    def handle_http_exception(self, error):
        if error.code == 413:  # say so in the user's words
            message = _too_large_message()
            error.description, error.data = message, {**(getattr(error, "data", None) or {}), "message": message}
        # The web UI shares the app: it gets HTML error pages, the API gets JSON.
        if not request.path.startswith("/api/"):
            return render_template("error.html", error=error), error.code
        body, code, *headers = super().handle_http_exception(error)
        headers = dict(headers[0] or {}) if headers else {}
        # flask-smorest drops the Allow header of a 405; clients and schemathesis need it.
        valid = getattr(error, "valid_methods", None)
        if error.code == 405 and valid:
            headers["Allow"] = ", ".join(valid)
        return body, code, headers


api = Api()


def _too_large_message() -> str:
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and (request.content_length or 0) > limit:
        return f"Het verzoek is groter dan de toegestane {limit / (1024 * 1024):g} MB; deel het bestand op."
    # werkzeug's other limits: too many form fields, or one text field too large
    return "Het formulier is te groot: te veel velden, of een tekstveld te lang."


def init_api(app) -> None:
    app.config.setdefault("API_TITLE", "cki")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("OPENAPI_SWAGGER_UI_PATH", "docs")
    app.config.setdefault("OPENAPI_SWAGGER_UI_URL", "/static/vendor/swagger-ui/")
    # No online validator badge: it would send the spec's URL to swagger.io.
    app.config.setdefault("OPENAPI_SWAGGER_UI_CONFIG", {"validatorUrl": None})
    app.config.setdefault("OPENAPI_REDOC_PATH", "redoc")
    app.config.setdefault("OPENAPI_REDOC_URL", "/static/vendor/redoc/redoc.standalone.js")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": (
            "JSON API of cki, the workflow system for CKIs certifying asbestos inventory "
            "(SC-540) and removal (SC-530) companies. Authenticate with "
            "`Authorization: Bearer <token>` (obtain one at `POST /api/v1/auth/tokens`). "
            "Ids of another CKI or company answer 404.")},
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
    })
    api.init_app(app)


def handle_unexpected(error):
    """Anything unexpected on the API is a JSON 500, never an HTML traceback."""
    if isinstance(error, HTTPException):
        return error
    from cki.core.db import db

    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    db.session.rollback()
    if request.path.startswith("/api/"):
        return {"code": 500, "status": "Internal Server Error",
                "message": "Onverwachte fout; niets is half opgeslagen."}, 500
    return render_template("error.html", error=None), 500
