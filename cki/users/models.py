import enum
import hashlib
import secrets
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cki.core.db import TenantMixin, TimestampMixin, UTCDateTime, db
from cki.core.i18n import register_messages


class Role(enum.StrEnum):
    """Staff roles (RULES.md §7). A person may hold several."""

    ADMIN = "admin"
    PLANNER = "planner"
    ASSESSOR = "assessor"
    TEAM_LEADER = "team_leader"
    DECIDER = "decider"
    OFFICE = "office"
    QUALITY_MANAGER = "quality_manager"
    REVIEWER = "reviewer"  # read-only: accreditation body, inspectorate


ROLE_LABELS = {
    Role.ADMIN: "Beheerder",
    Role.PLANNER: "Planner",
    Role.ASSESSOR: "Beoordelaar",
    Role.TEAM_LEADER: "Teamleider",
    Role.DECIDER: "Beslisser",
    Role.OFFICE: "Secretariaat",
    Role.QUALITY_MANAGER: "Kwaliteitsmanager",
    Role.REVIEWER: "Toezichthouder (alleen lezen)",
}
register_messages(lambda: ROLE_LABELS.values())


class UserKind(enum.StrEnum):
    STAFF = "staff"
    COMPANY = "company"


class User(TenantMixin, TimestampMixin, db.Model):
    """A person who logs in: CKI staff, or a user of one company."""

    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("(kind = 'company') = (company_id IS NOT NULL)", name="company_user_has_company"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    password_hash: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    company_id: Mapped[int | None] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True, nullable=False)
    #: An outsourced assessor sees only the dossiers assigned to it (RULES.md §7).
    outsourced: Mapped[bool] = mapped_column(default=False, nullable=False)
    #: The language of the pages this person reads (cki.core.i18n.LANGUAGES); none: the default.
    language: Mapped[str | None] = mapped_column(sa.String(5))

    role_rows: Mapped[list["UserRole"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    qualifications: Mapped[list["Qualification"]] = relationship(
        cascade="all, delete-orphan", order_by="Qualification.id")
    company = relationship("Company")
    cki = relationship("Cki")

    @property
    def roles(self) -> list[Role]:
        return sorted(Role(r.role) for r in self.role_rows)

    @roles.setter
    def roles(self, roles):
        wanted = {Role(r) for r in roles}
        self.role_rows = [r for r in self.role_rows if Role(r.role) in wanted]
        for role in wanted - set(self.roles):
            self.role_rows.append(UserRole(role=role.value))

    @property
    def is_staff(self) -> bool:
        return self.kind == UserKind.STAFF.value

    # Flask-Login protocol
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        return str(self.id)


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(30), primary_key=True)


class Qualification(TenantMixin, db.Model):
    """A staff member's qualification for a scheme and function, with its validity (§2)."""

    __tablename__ = "qualifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False)
    scheme: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    function: Mapped[str] = mapped_column(sa.String(30), nullable=False)  # assessor, team_leader, decider
    valid_from: Mapped[date] = mapped_column(nullable=False)
    valid_to: Mapped[date | None] = mapped_column()
    evidence: Mapped[str | None] = mapped_column(sa.Text)

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class ConflictDeclaration(TenantMixin, TimestampMixin, db.Model):
    """A staff member's declaration about a conflict of interest with one company (B/C §2; ISO
    17065 impartiality), kept by the quality manager. The latest one on or before an audit date
    decides whether the person may audit that company."""

    __tablename__ = "conflict_declarations"
    __table_args__ = (sa.Index("ix_conflict_declarations_user_company", "user_id", "company_id", "declared_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), nullable=False)
    declared_on: Mapped[date] = mapped_column(nullable=False)
    #: True: no conflict of interest; False: the person has an interest and may not audit the company.
    clear: Mapped[bool] = mapped_column(nullable=False)
    note: Mapped[str | None] = mapped_column(sa.Text)


def hash_token(token: str) -> str:
    """API tokens are 256-bit random strings, so a fast hash is enough to store them."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


class ApiClient(TenantMixin, TimestampMixin, db.Model):
    """A system that calls the API with a bearer token: the SCA register, a company's own system.
    Its token can be rotated (the old one stops at once), it can be deactivated, and it expires."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(30), nullable=False)  # sca_register, company_system
    company_id: Mapped[int | None] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    active: Mapped[bool] = mapped_column(default=True, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginSession(TimestampMixin, db.Model):
    """A user's login in the web UI, kept on the server: the cookie holds only a random id whose
    hash is here. Ended by logout, a password change or a deactivation, and by its expiry."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_reason: Mapped[str | None] = mapped_column(sa.String(100))


class ApiToken(TimestampMixin, db.Model):
    """A bearer token a user obtained with e-mail and password (stored hashed); revoked by
    deleting it (by the user, or with every other on a password change or deactivation)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    user: Mapped[User] = relationship()
