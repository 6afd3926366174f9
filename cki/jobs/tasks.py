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


def lapse_expired_dossiers(app) -> int:
    """Move dossiers whose 4-month window has passed to 'lapsed' (B/C §3.1.2).

    Only dossiers in assessment or decision are looked at, so the sweep's cost follows the
    number of open dossiers, not the history. Each dossier is its own transaction: one that
    fails (or was changed meanwhile) does not hold up the others.
    """
    from flask import g

    from cki.core.auth import Principal
    from cki.core.errors import DomainError
    from cki.dossiers import operations
    from cki.dossiers.models import Dossier
    from workflows.dossier import Event, State, deadlines

    lapsed = 0
    with app.app_context():
        candidates = db.session.scalars(db.select(Dossier.id).where(
            Dossier.state.in_([State.ASSESSMENT.value, State.DECISION.value]))).all()
        for dossier_id in candidates:
            dossier = db.session.get(Dossier, dossier_id, with_for_update=True)  # a colleague's step waits
            facts = operations.build_facts(dossier)
            window = deadlines(facts).get("window_end")
            if window is None or facts.today <= window.date:
                continue
            g.principal = Principal(cki_id=dossier.cki_id, label="systeem (termijnbewaking)")
            try:
                operations.fire_event(dossier, Event.LAPSE, {}, expected_version=None)
                db.session.commit()
                lapsed += 1
            except DomainError as refused:  # said, not swallowed: staff look at the dossier
                db.session.rollback()
                app.logger.warning("termijnbewaking: dossier %s niet verlopen verklaard: %s", dossier_id,
                                   refused.message)
    return lapsed


def expire_certificates(app) -> int:
    """Set certificates whose validity has ended to expired and tell the register (once each)."""
    from flask import g

    from cki.certificates import operations
    from cki.core.auth import Principal
    from cki.core.clock import today

    with app.app_context():
        g.principal = Principal(cki_id=0, label="systeem (termijnbewaking)")
        return operations.expire_due(today())


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
