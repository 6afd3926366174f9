"""Import every model so the metadata (and Alembic's autogenerate) sees the whole schema."""
from cki.companies.models import Branch, Company  # noqa: F401
from cki.dossiers.models import (  # noqa: F401
                                 BranchAssessment,
                                 Certificate,
                                 Dossier,
                                 DossierAssessor,
                                 DossierBranch,
                                 Letter,
                                 ProjectLocation,
                                 RegisterMessage,
)
from cki.events.models import EventLogEntry  # noqa: F401
from cki.meldingen.models import (  # noqa: F401
                                 AuditSelection,
                                 DataAccessLog,
                                 InboundLavsMessage,
                                 LogbookEntry,
                                 Melding,
                                 MeldingRevision,
                                 ProjectOverviewEntry,
)
from cki.tenants.models import Cki  # noqa: F401
from cki.users.models import ApiClient, ApiToken, Qualification, User, UserRole  # noqa: F401
