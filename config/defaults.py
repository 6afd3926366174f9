"""Default settings. Each can be overridden by an environment variable of the same name."""

#: SQLAlchemy URL. Empty means a SQLite file ``cki.sqlite3`` in the instance folder.
#: Production: ``postgresql+psycopg://user@host:5432/cki``.
DATABASE_URL = ""

#: The database URL the migrations (``flask db upgrade``) use: the schema owner's. Empty means
#: ``DATABASE_URL``. In production the app connects as a role that may not rewrite the logs and
#: the migrations as the owner (README > Production); the upgrade grants the app role its rights.
MIGRATION_DATABASE_URL = ""

#: Signs session cookies and CSRF tokens. Empty means: generate one and keep it in
#: ``instance/secret_key`` (fine for one machine; set it explicitly with several hosts).
SECRET_KEY = ""

#: Run the APScheduler deadline jobs in this process. Exactly one process may do so:
#: ``make run`` enables it; with gunicorn run ``flask scheduler`` as its own process.
SCHEDULER_ENABLED = False

#: Where Flask-Limiter counts login attempts. ``memory://`` counts per process;
#: with several gunicorn workers use Redis, e.g. ``redis://127.0.0.1:6379``.
RATELIMIT_STORAGE_URI = "memory://"

#: Login attempts allowed per client address.
LOGIN_RATE_LIMIT = "10 per minute"

#: Failed login attempts allowed per account (e-mail address), from any address: guessing one
#: person's password from many machines is slowed down as well.
LOGIN_ACCOUNT_RATE_LIMIT = "5 per minute;20 per hour"

#: Lifetime of API tokens issued to users (hours).
API_TOKEN_HOURS = 12

#: Lifetime of a login session in the web UI (hours); logout ends it earlier.
SESSION_HOURS = 12

#: Default lifetime of an API client's token (days) when the admin gives no expiry.
API_CLIENT_DAYS = 365

#: Time zone in which dates and deadlines are shown (stored in UTC).
DISPLAY_TIMEZONE = "Europe/Amsterdam"

#: Send the session cookie over HTTPS only. Set to 1 behind TLS in production.
SESSION_COOKIE_SECURE = False

#: Largest request body accepted (bytes): a bulk upload, logbook or LAVS message above it
#: is refused with 413 before it is read into memory. 32 MiB holds the 20,000-row limit.
MAX_CONTENT_LENGTH = 32 * 1024 * 1024

#: Password hashing cost (argon2id). Defaults are argon2-cffi's; lower only for tests.
ARGON2_TIME_COST = 3
ARGON2_MEMORY_KIB = 65536

#: LAVS intake: the field mapping (XPath per field; empty = the shipped example mapping,
#: cki/meldingen/lavs/mapping.json), and the mailbox LAVS e-mails this CKI (KvK below):
#: a Maildir path, or an IMAP server. Polled every LAVS_POLL_MINUTES by the scheduler.
LAVS_MAPPING_FILE = ""
LAVS_CKI_KVK = ""
LAVS_MAILDIR = ""
LAVS_IMAP_HOST = ""
LAVS_IMAP_PORT = 993
LAVS_IMAP_USER = ""
LAVS_IMAP_PASSWORD = ""
LAVS_IMAP_FOLDER = "INBOX"
LAVS_POLL_MINUTES = 5

#: The logs' sealer (cki.events.chain.seal) runs every LOG_SEAL_SECONDS: an entry is hash-chained
#: at most this long (plus the sealing) after its write.
LOG_SEAL_SECONDS = 10

#: A holder's declared reports a year (SC-540 Table 1) are checked against the meldingen the system
#: holds for that period: a warning when they differ by more than this fraction (app policy, not law).
FIGURES_CHECK_TOLERANCE = 0.25
#: The CKI's hourly rate for fee estimates, excluding costs and VAT; refused above the legal cap
#: (Arboregeling art. 9.1, scheme data ``fee_cap_eur_per_hour``).
HOURLY_RATE_EUR = "150"
#: The largest photo an auditor may attach to a checklist line (bytes).
PHOTO_MAX_BYTES = 8_000_000
#: Outgoing e-mail (letters with their PDF; later reminders): the SMTP server, its port, STARTTLS
#: (MAIL_USE_TLS) or TLS from the start (MAIL_USE_SSL, usually port 465), login, and the sender.
#: Empty MAIL_SERVER: letters can only be recorded as sent by post.
MAIL_SERVER = ""
MAIL_PORT = 587
MAIL_USE_TLS = True
MAIL_USE_SSL = False
MAIL_USERNAME = ""
MAIL_PASSWORD = ""
MAIL_SENDER = "cki@localhost"
MAIL_TIMEOUT = 30
#: The largest file attached to an incoming document (corrective measures' evidence, a scan).
ATTACHMENT_MAX_BYTES = 20_000_000
#: Reminders: how many werkdagen before its due date a deadline is reminded of, per kind
#: (``kind:n`` pairs; ``default`` for the rest; 0: no reminder, only the overdue flag).
REMINDER_LEAD_WORKDAYS = ("default:2,letter_dispatch:1,certificate_expiry:20,recertification:20,objection_term:0,"
                          "audit_quota:40,melding_unseen:1")
#: The e-mail outbox gives up on a message after this many failed attempts (the office sees it).
MAIL_MAX_ATTEMPTS = 8
#: Delivery to the SCA register: "email" (the message with the certificate PDF to REGISTER_EMAIL,
#: through the MAIL_* server), "https" (a JSON POST to REGISTER_URL signed with HMAC-SHA256 over
#: the timestamp and the body with REGISTER_SECRET), or empty: the register's API client fetches.
REGISTER_TRANSPORT = ""
REGISTER_EMAIL = ""
REGISTER_URL = ""
REGISTER_SECRET = ""
REGISTER_TIMEOUT = 10
#: A message is parked (the office sees it and may retry) after this many failed deliveries.
REGISTER_MAX_ATTEMPTS = 10
#: The office confirms a delivered registration with the register's reference within this many
#: werkdagen (the CKI's own term: the annex sets none); until then it is a deadline on its work list.
REGISTER_CONFIRM_WORKDAYS = 5
