"""The JSON API under /api/v1: flask-smorest builds the OpenAPI document from the
marshmallow schemas; errors are JSON with field messages (422), 404 for unknown or
foreign ids."""
import flask_smorest
from flask import abort, current_app, render_template, request
from flask_smorest import Api as _Api
from webargs.flaskparser import FlaskParser
from webargs.flaskparser import abort as webargs_abort
from werkzeug.exceptions import HTTPException
from wtforms.validators import ValidationError

from cki.core.i18n import gettext

#: The OpenAPI security of a public route (every other route needs a bearer token).
PUBLIC: list = []


class DutchParser(FlaskParser):
    """webargs' parser; its one message of its own (a body that is not JSON) in Dutch. The
    schemas' messages are Dutch through cki.core.schemas."""

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        webargs_abort(400, exc=error, messages={"json": ["De body is geen geldige JSON."]})


class Blueprint(flask_smorest.Blueprint):
    """The API's blueprints: flask-smorest's, parsing with :class:`DutchParser`, with ``tag``: the
    name people read in the API documentation (flask-smorest would show the blueprint's name)."""

    ARGUMENTS_PARSER = DutchParser()

    def __init__(self, *args, tag: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tag = tag

    def register_views_in_doc(self, api, app, spec, *, name, parameters):
        if self.tag:
            for endpoint_doc in self._docs.values():
                for method, doc in endpoint_doc.items():
                    if method != "parameters" and doc.get("tags") is None:
                        doc["tags"] = [self.tag]
        super().register_views_in_doc(api, app, spec, name=name, parameters=parameters)

    def public(self, view):
        """A route anyone may call without credentials, documented so. Every other route answers
        401 without credentials before it reads its input (:func:`require_credentials`)."""
        view = self.doc(security=PUBLIC)(view)
        view.cki_public = True
        return view


def _is_public(view) -> bool:
    view_class = getattr(view, "view_class", None)
    if view_class is not None:  # a MethodView: the method that will answer
        view = getattr(view_class, request.method.lower(), None)
    return bool(getattr(view, "cki_public", False))


_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def require_credentials():
    """Before any API route reads its input: 401 without credentials (a 422 would tell an
    anonymous caller about the route's input), and 403 for a change made with the login
    session's cookie but without the page's CSRF token (a bearer token needs none: no browser
    sends it by itself)."""
    from flask_wtf.csrf import CSRFError, validate_csrf

    from cki.core.auth import current_principal

    if not request.path.startswith("/api/") or request.endpoint is None or request.blueprint == "api-docs":
        return
    view = current_app.view_functions.get(request.endpoint)
    if view is None or _is_public(view):
        return
    principal = current_principal()
    if principal is None:
        abort(401)
    if principal.by_cookie and request.method not in _SAFE_METHODS:
        try:
            validate_csrf(request.headers.get("X-CSRFToken"))
        except (CSRFError, ValidationError):
            flask_smorest.abort(403, message="Een wijziging met de sessiecookie vraagt het CSRF-token van de "
                                             "pagina (kop X-CSRFToken); systemen gebruiken een bearer-token.")


class Api(_Api):
    def register_blueprint(self, blp, *, parameters=None, **options):
        super().register_blueprint(blp, parameters=parameters, **options)
        tag = getattr(blp, "tag", None)
        if tag:  # the tag flask-smorest just listed under the blueprint's name: the people's name
            listed = next(t for t in reversed(self.spec._tags) if t["name"] == options.get("name", blp.name))
            listed["name"] = tag

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
    # a page says it in the reader's language; the API's message stays Dutch
    say = gettext if not request.path.startswith("/api/") else lambda text, **values: text % values
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and (request.content_length or 0) > limit:
        return say("Het verzoek is groter dan de toegestane %(size)s MB; deel het bestand op.",
                   size=f"{limit / (1024 * 1024):g}")
    # werkzeug's other limits: too many form fields, or one text field too large
    return say("Het formulier is te groot: te veel velden, of een tekstveld te lang.")


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
            "De JSON-API van cki, het werkstroomsysteem van CKI's die asbestinventarisatiebedrijven "
            "(SC-540) en asbestverwijderingsbedrijven (SC-530) certificeren: alles wat de app doet, kan "
            "ook hier. Aanmelden met `Authorization: Bearer <token>` (een token via "
            "`POST /api/v1/auth/tokens`; systemen krijgen een API-koppeling van de beheerder). Foute "
            "invoer: 422 met het veld en de reden; ids van een andere CKI of een ander bedrijf: 404.")},
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
    })
    api.init_app(app)
    app.before_request(require_credentials)


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
