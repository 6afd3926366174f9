"""Import every model so the metadata (and Alembic's autogenerate) sees the whole schema."""
from cki.companies.models import Branch, Company  # noqa: F401
from cki.events.models import EventLogEntry  # noqa: F401
from cki.tenants.models import Cki  # noqa: F401
from cki.users.models import ApiClient, ApiToken, Qualification, User, UserRole  # noqa: F401
from cki.dossiers.models import (BranchAssessment, Certificate, Dossier, DossierAssessor,  # noqa: F401
                                 DossierBranch, Letter, ProjectLocation, RegisterMessage)
from cki.meldingen.models import (AuditSelection, DataAccessLog, InboundLavsMessage, LogbookEntry,  # noqa: F401
                                  Melding, MeldingRevision, ProjectOverviewEntry)
