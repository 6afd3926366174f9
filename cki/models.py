"""Import every model so the metadata (and Alembic's autogenerate) sees the whole schema."""
from cki.companies import models as companies
from cki.dossiers import models as dossiers
from cki.events import models as events
from cki.meldingen import models as meldingen
from cki.tenants import models as tenants
from cki.users import models as users

DOMAINS = (companies, dossiers, events, meldingen, tenants, users)
