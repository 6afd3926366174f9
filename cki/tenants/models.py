import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from cki.core.db import TimestampMixin, db


class Cki(TimestampMixin, db.Model):
    """A certifying body (certificerende instelling). Every dossier row belongs to one."""

    __tablename__ = "ckis"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    kvk_number: Mapped[str] = mapped_column(sa.String(8), nullable=False, unique=True)
    #: The CKI's own closing days ``[{"date": "YYYY-MM-DD", "reason": "..."}]`` and extra
    #: open days. For planning views only: they never move a legal deadline (RULES.md §1).
    calendar_closed: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    calendar_open: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)

    @property
    def cki_id(self) -> int:
        """The tenant of the tenant is itself (so the event log treats it like any row)."""
        return self.id

    def __repr__(self):
        return f"<Cki {self.id} {self.name!r}>"
