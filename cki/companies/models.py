import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cki.core.db import TenantMixin, TimestampMixin, db


class Company(TenantMixin, TimestampMixin, db.Model):
    """An asbestos inventory (SC-540) or removal (SC-530) company, as a client of one CKI.

    One company may hold certificates for both schemes: it stays one record.
    """

    __tablename__ = "companies"
    __company_column__ = "id"  # a company user sees its own company row
    __table_args__ = (sa.UniqueConstraint("cki_id", "kvk_number", name="uq_companies_cki_kvk"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    place: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    kvk_number: Mapped[str] = mapped_column(sa.String(8), nullable=False)

    branches: Mapped[list["Branch"]] = relationship(
        back_populates="company", order_by="Branch.id", cascade="all, delete-orphan")

    def __repr__(self):
        return f"<Company {self.id} {self.name!r}>"


class Branch(TenantMixin, TimestampMixin, db.Model):
    """A branch (vestiging or filiaal) of a company; part of every application (B/C §3.1.3)."""

    __tablename__ = "branches"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True, nullable=False)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    address: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    kvk_number: Mapped[str | None] = mapped_column(sa.String(8))
    is_head_office: Mapped[bool] = mapped_column(default=False, nullable=False)

    company: Mapped[Company] = relationship(back_populates="branches")
