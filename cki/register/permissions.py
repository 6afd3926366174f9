"""The register outbox's one authorization policy."""
from cki.users.models import Role

#: The register's own API clients.
REGISTER = ("sca_register",)
#: Staff who follow what the register was sent.
STAFF = (Role.ADMIN, Role.OFFICE, Role.QUALITY_MANAGER)
