"""Job functions. Each is an idempotent sweep: running it twice, or late, does no harm,
so a restart or a missed run never loses work."""
from cki.core.db import db, utcnow


def purge_expired_tokens(app) -> int:
    """Delete API tokens past their expiry."""
    from cki.users.models import ApiToken

    with app.app_context():
        result = db.session.execute(db.delete(ApiToken).where(ApiToken.expires_at < utcnow()))
        db.session.commit()
        return result.rowcount


def seal_logs(app) -> int:
    """Hash-chain the log entries written since the last run (cki.events.chain)."""
    from cki.events.chain import seal

    with app.app_context():
        return seal()


def poll_lavs_mailbox(app) -> int:
    """Fetch LAVS e-mails from the configured Maildir or IMAP mailbox and take them in.

    A mail is marked done only after its messages are committed, so a crash means it is
    fetched again next time (and recognised by its LAVS message id), never lost."""
    from flask import g

    from cki.core.auth import Principal
    from cki.meldingen import intake
    from cki.meldingen.lavs import ImapSource, LavsMailError, MaildirSource, xml_attachments
    from cki.tenants.models import Cki

    cfg = app.config
    if not cfg["LAVS_CKI_KVK"] or not (cfg["LAVS_MAILDIR"] or cfg["LAVS_IMAP_HOST"]):
        return 0
    taken = 0
    with app.app_context():
        cki = db.session.scalar(db.select(Cki).where(Cki.kvk_number == cfg["LAVS_CKI_KVK"]))
        if cki is None:
            app.logger.error("LAVS_CKI_KVK %s: no such CKI", cfg["LAVS_CKI_KVK"])
            return 0
        cki_id = cki.id
        db.session.commit()  # no transaction open while the mailbox is read (SQLite: no write lock held)
        g.principal = Principal(cki_id=cki_id, label="LAVS (mailbox)")
        source = (MaildirSource(cfg["LAVS_MAILDIR"]) if cfg["LAVS_MAILDIR"] else ImapSource(
            cfg["LAVS_IMAP_HOST"], cfg["LAVS_IMAP_PORT"], cfg["LAVS_IMAP_USER"], cfg["LAVS_IMAP_PASSWORD"],
            cfg["LAVS_IMAP_FOLDER"]))
        with source:
            for mail in source.fetch():
                try:
                    parts = xml_attachments(mail.data)
                except LavsMailError:
                    parts = [("zonder-xml.eml", mail.data)]  # kept and parked: unreadable as XML
                try:
                    for filename, xml in parts:
                        intake.ingest(cki_id, xml, source="mailbox", filename=filename)
                        taken += 1
                except Exception:  # this mail stays unread for the next poll; the rest go on
                    app.logger.exception("LAVS mail %s not taken in; left for the next poll", mail.key)
                    db.session.rollback()
                    continue
                source.mark_done(mail.key)
    return taken


def sweep_deadlines(app, on=None, pause: float = 0.0):
    """The deadline sweep as of ``on`` (default today): see ``cki.deadlines.operations.sweep``."""
    import time

    from flask import g

    from cki.core.auth import Principal
    from cki.core.clock import today
    from cki.deadlines import operations

    with app.app_context():
        g.principal = Principal(cki_id=0, label="systeem (termijnbewaking)")
        return operations.sweep(on or today(), before_each=(lambda _id: time.sleep(pause)) if pause else None)


def deliver_mail(app) -> int:
    """Send the queued e-mails that are due (reminders), retrying failures with backoff."""
    from cki.deadlines import operations

    with app.app_context():
        sent, _failed = operations.deliver_mail()
        return sent


def deliver_register(app) -> int:
    """Deliver the SCA register's queued messages through the configured transport, in order per
    certificate, retrying with backoff (``cki.register.operations.deliver``)."""
    from cki.register import operations

    with app.app_context():
        return operations.deliver()[0]
