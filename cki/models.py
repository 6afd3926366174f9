"""Import every model so the metadata (and Alembic's autogenerate) sees the whole schema."""
from cki.certificates import models as certificates
from cki.companies import models as companies
from cki.deadlines import models as deadlines
from cki.dossiers import models as dossiers
from cki.events import models as events
from cki.findings import models as findings
from cki.letters import models as letters
from cki.meldingen import models as meldingen
from cki.register import models as register
from cki.surveillance import models as surveillance
from cki.tenants import models as tenants
from cki.users import models as users

DOMAINS = (certificates, companies, deadlines, dossiers, events, findings, letters, meldingen, register, surveillance, tenants, users)
