"""Who is acting: a staff member, a company user or an API client, and in which tenant.

The web UI authenticates with a login session (a cookie naming a server-side session row);
the JSON API with bearer tokens. Both end in one :class:`Principal` that every query is scoped
by. How credentials are checked against users, tokens and clients is the users domain's
(``cki.users.auth``), which registers its resolver here: the ground floor knows no domain.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from flask import abort, current_app, g, has_request_context
from flask_login import LoginManager

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Log in om deze pagina te zien."
login_manager.session_protection = None  # sessions are checked server-side (cki.users.auth)


@dataclass(frozen=True)
class Principal:
    cki_id: int
    label: str
    company_id: int | None = None
    roles: frozenset = field(default_factory=frozenset)
    user_id: int | None = None
    client_id: int | None = None
    client_kind: str | None = None
    outsourced: bool = False
    #: Authenticated by the login session's cookie (not a bearer token): an API call that changes
    #: something must then carry the CSRF token too.
    by_cookie: bool = False

    @property
    def is_staff(self) -> bool:
        return self.company_id is None and self.client_id is None

    def has_any(self, *roles) -> bool:
        return bool(self.roles & {getattr(r, "value", r) for r in roles})


def set_principal_resolver(app, resolver: Callable[[], Principal | None]) -> None:
    """The function that finds this request's principal from its credentials (users domain)."""
    app.extensions["cki.principal_resolver"] = resolver


def current_principal() -> Principal | None:
    """The principal of this request (resolved once per request; a job sets ``g.principal``)."""
    if "principal" not in g:
        if not has_request_context():
            return None
        g.principal = current_app.extensions["cki.principal_resolver"]()
    return g.principal


def require(*roles, staff: bool = False, client_kinds: tuple = (), anyone: bool = False, outsourced: bool = False):
    """Guard a view: 401 without credentials, 403 without one of ``roles``.

    ``staff=True`` admits any staff member; ``client_kinds`` admits API clients of those kinds.
    With no arguments staff, company users and company systems are admitted (queries are
    still scoped); the SCA register, which belongs to no company, only where named, so it
    never reads a CKI's dossiers or meldingen. ``anyone=True`` admits every principal (``/me``).
    An outsourced assessor is admitted only where ``outsourced=True``: routes that show it no
    more than the dossiers assigned to it (RULES.md §7).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            principal = current_principal()
            if principal is None:
                abort(401)
            if not admits(principal, roles, staff=staff, client_kinds=client_kinds, anyone=anyone,
                          outsourced=outsourced):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def admits(principal: Principal, roles=(), *, staff: bool = False, client_kinds: tuple = (),
           anyone: bool = False, outsourced: bool = False) -> bool:
    """Whether ``require(*roles, ...)`` lets ``principal`` in: the one rule pages and API share."""
    if principal.outsourced and not (outsourced or anyone):
        return False
    open_route = not (roles or staff or client_kinds)
    return (anyone or (open_route and (principal.is_staff or principal.company_id is not None))
            or (staff and principal.is_staff)
            or (principal.is_staff and principal.has_any(*roles))
            or (principal.client_kind in client_kinds))
