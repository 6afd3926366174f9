"""The start page's work list per role, notifications in the app, the CKI-wide view of what is
overdue, and the personal iCalendar feed. Read-only over the other domains' rows (each item one
click from the page where it is done)."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required

from cki.core.auth import admits, current_principal
from cki.core.clock import today
from cki.core.db import db
from cki.core.i18n import gettext as _
from cki.core.i18n import register_messages
from cki.core.web import form_int
from cki.deadlines import operations
from cki.deadlines.models import (
    KIND_LABELS,
    Deadline,
    DeadlineState,
    MailStatus,
    Notification,
    OutgoingMail,
    ReminderPreference,
)
from cki.deadlines.permissions import OVERSEERS, my_deadlines, my_notifications, visible_deadlines
from cki.users.models import Role

bp = Blueprint("deadlines", __name__, template_folder="templates")
register_messages(KIND_LABELS.values)  # the kinds of reminder, as the notifications page names them
LIST = 10  # items shown per section; the section links to the whole list


def _section(title, items, *, count=None, empty=None, more=None):
    return {"title": title, "items": items, "count": count, "empty": empty, "more": more}


def _deadline_items(rows):
    day = today()
    return [{"label": d.label, "url": d.url, "due": d.due_on, "overdue": d.due_on < day} for d in rows]


def work_list() -> list[dict]:
    """What the person has to do now, by role, the earliest deadline first."""
    from cki.certificates.models import IntendedDecision
    from cki.findings.models import Finding
    from cki.letters.models import Letter, LetterStatus, LetterTemplate
    from cki.meldingen.models import InboundLavsMessage, Melding
    from cki.surveillance.models import Audit, AuditAuditor, AuditReport, WithdrawalProposal
    from cki.users.models import Qualification, User

    p = current_principal()
    day = today()
    mine = db.session.scalars(my_deadlines().order_by(Deadline.due_on, Deadline.id).limit(LIST)).all()
    sections = [_section(_("Mijn termijnen") if p.company_id is None else _("Uw termijnen"), _deadline_items(mine),
                         empty=_("Geen open termijnen."), more={"url": url_for("deadlines.overview"),
                                                                 "label": _("Alle termijnen")})]
    if p.company_id is not None:
        findings = db.session.scalars(sa.select(Finding).where(
            Finding.company_id == p.company_id, Finding.status == "open").order_by(Finding.found_on).limit(LIST)).all()
        sections.append(_section(_("Open bevindingen"), [{"label": f"{f.clause}: {f.text}", "url": url_for(
            "findings.show", finding_id=f.id), "due": None} for f in findings]))
        letters = db.session.scalars(sa.select(Letter).where(
            Letter.company_id == p.company_id, Letter.status == LetterStatus.SENT.value)
            .order_by(Letter.sent_on.desc(), Letter.id.desc()).limit(5)).all()
        sections.append(_section(_("Brieven aan u"), [{"label": f"{x.reference} {x.subject}", "url": url_for(
            "letters.show", letter_id=x.id), "due": x.sent_on} for x in letters],
            more={"url": url_for("letters.index"), "label": _("Alle brieven")}))
        upcoming = db.session.scalars(sa.select(Melding).where(
            Melding.company_id == p.company_id, Melding.planned_start >= day,
            Melding.planned_start <= day + timedelta(days=7)).order_by(Melding.planned_start).limit(LIST)).all()
        sections.append(_section(_("Meldingen die deze week beginnen"), [
            {"label": f"{m.street}, {m.place}", "url": url_for("meldingen.show", melding_id=m.id),
             "due": m.planned_start} for m in upcoming]))
        return sections + _notifications_section()
    cki = p.cki_id
    if p.has_any(Role.OFFICE):
        waiting = db.session.scalars(sa.select(Letter).where(Letter.cki_id == cki, Letter.status == "waiting")
                                     .order_by(Letter.due_on.is_(None), Letter.due_on, Letter.id).limit(LIST)).all()
        count = db.session.scalar(sa.select(sa.func.count()).where(Letter.cki_id == cki, Letter.status == "waiting"))
        sections.append(_section(_("Brieven te verzenden"), [
            {"label": f"{x.reference} {x.subject}", "url": url_for("letters.show", letter_id=x.id), "due": x.due_on,
             "overdue": bool(x.due_on and x.due_on < day)} for x in waiting], count=count,
            more={"url": url_for("letters.index"), "label": _("Postregister")}))
        from cki.register.models import RegisterMessage

        unconfirmed = db.session.scalar(sa.select(sa.func.count()).where(
            RegisterMessage.cki_id == cki, RegisterMessage.status == "delivered", RegisterMessage.confirmed_at.is_(None)))
        parked = db.session.scalar(sa.select(sa.func.count()).where(
            RegisterMessage.cki_id == cki, RegisterMessage.status == "parked"))
        if unconfirmed or parked:
            sections.append(_section(_("Certificatenregister"), [
                {"label": _("%(count)s registratie(s) te bevestigen met het kenmerk van het register", count=unconfirmed),
                 "url": url_for("register.index"), "due": None}] * bool(unconfirmed) + [
                {"label": _("%(count)s bericht(en) geparkeerd: opnieuw versturen", count=parked), "url": url_for("register.index"),
                 "due": None, "overdue": True}] * bool(parked)))
        failed = db.session.scalar(sa.select(sa.func.count()).where(
            OutgoingMail.cki_id == cki, OutgoingMail.status == MailStatus.FAILED.value))
        if failed:
            sections.append(_section(_("E-mails die niet verzonden konden worden"), [
                {"label": _("%(count)s e-mail(s) opnieuw te versturen", count=failed), "url": url_for("deadlines.outbox"),
                 "due": None}], count=failed))
    if p.has_any(Role.DECIDER):
        proposals = db.session.scalar(sa.select(sa.func.count()).where(
            WithdrawalProposal.cki_id == cki, WithdrawalProposal.status == "open"))
        weigh = db.session.scalars(sa.select(IntendedDecision).where(
            IntendedDecision.cki_id == cki, IntendedDecision.weighed_on.is_(None), IntendedDecision.sent_on.is_not(None),
            sa.or_(IntendedDecision.answered_on.is_not(None), IntendedDecision.answer_due < day))
            .order_by(IntendedDecision.answer_due).limit(LIST)).all()
        sections.append(_section(_("Te beslissen"), [
            {"label": _("%(count)s voorstel(len) tot intrekking", count=proposals), "url": url_for("findings.proposals"),
             "due": None}]
            * bool(proposals) + [
            {"label": _("Zienswijze wegen: %(reason)s", reason=i.reason), "url": url_for("certificates.decisions",
                                                                                   certificate_id=i.certificate_id),
             "due": i.answer_due} for i in weigh], empty=_("Geen voorstellen of zienswijzen te wegen.")))
    if p.has_any(Role.TEAM_LEADER):
        reviews = db.session.scalars(sa.select(AuditReport).where(
            AuditReport.cki_id == cki, AuditReport.status == "submitted").order_by(AuditReport.id).limit(LIST)).all()
        sections.append(_section(_("Rapporten te beoordelen"), [
            {"label": _("Rapport van beoordeling %(id)s", id=r.audit_id), "url": url_for("certificates.report", audit_id=r.audit_id),
             "due": None} for r in reviews]))
    if p.has_any(Role.ASSESSOR) and p.user_id is not None:
        audits = db.session.scalars(sa.select(Audit).join(AuditAuditor, AuditAuditor.audit_id == Audit.id).where(
            AuditAuditor.user_id == p.user_id, Audit.status == "planned").order_by(Audit.planned_on).limit(LIST)).all()
        sections.append(_section(_("Mijn beoordelingen"), [
            {"label": _("Beoordeling %(id)s (%(location)s)", id=a.id, location=a.location or _("vestiging")), "due": a.planned_on,
             "url": url_for("certificates.report", audit_id=a.id)} for a in audits]))
        unfinished = db.session.execute(sa.select(AuditReport.audit_id, AuditReport.status, Audit.planned_on).join(
            Audit, Audit.id == AuditReport.audit_id).join(AuditAuditor, AuditAuditor.audit_id == Audit.id).where(
            AuditAuditor.user_id == p.user_id, AuditReport.status.in_(("draft", "returned")),
            Audit.status != "cancelled")
            .order_by(Audit.planned_on).limit(LIST)).all()
        sections.append(_section(_("Rapporten af te maken"), [
            {"label": _("Rapport van beoordeling %(id)s: %(state)s", id=audit_id, state=_(
                "teruggestuurd met opmerkingen") if status == "returned" else _("concept")),
             "due": planned_on, "url": url_for("certificates.report", audit_id=audit_id)}
            for audit_id, status, planned_on in unfinished], empty=_("Geen concepten of teruggestuurde rapporten.")))
    if p.has_any(Role.PLANNER):
        parked = db.session.scalar(sa.select(sa.func.count()).where(
            InboundLavsMessage.cki_id == cki, InboundLavsMessage.status == "parked"))
        starting = db.session.scalar(sa.select(sa.func.count()).where(
            Melding.cki_id == cki, Melding.planned_start >= day, Melding.planned_start <= day + timedelta(days=7)))
        # planned audits whose melding was withdrawn, merged or moved away from the audit's day
        changed = db.session.execute(sa.select(Audit.id, Audit.planned_on, Audit.certificate_id, Melding.id).join(
            Melding, Melding.id == Audit.melding_id).where(
            Audit.cki_id == cki, Audit.status == "planned", Audit.melding_id.is_not(None), sa.or_(
                Melding.status.in_(("cancelled", "merged")), Audit.planned_on < Melding.planned_start,
                Audit.planned_on > sa.func.coalesce(Melding.planned_end, Melding.planned_start)))
            .order_by(Audit.planned_on).limit(LIST)).all()
        if changed:
            sections.append(_section(_("Gewijzigde meldingen achter geplande beoordelingen"), [
                {"label": _("Beoordeling %(id)s: melding %(melding)s ingetrokken, samengevoegd of verplaatst", id=audit_id,
                            melding=melding_id),
                 "url": url_for("certificates.show", certificate_id=certificate_id), "due": planned_on,
                 "overdue": True} for audit_id, planned_on, certificate_id, melding_id in changed]))
        sections.append(_section(_("Planning"), [
            {"label": _("%(count)s melding(en) beginnen deze week", count=starting), "url": url_for("meldingen.index"),
             "due": None},
            {"label": _("%(count)s geparkeerde LAVS-bericht(en)", count=parked), "url": url_for("meldingen.lavs"), "due": None}]
            + [{"label": _("Weekplanning"), "url": url_for("surveillance.index"), "due": None}]))
    if p.has_any(Role.QUALITY_MANAGER):
        drafts = db.session.scalars(sa.select(LetterTemplate).where(
            LetterTemplate.cki_id == cki, LetterTemplate.status == "draft").limit(LIST)).all()
        expiring = db.session.scalars(sa.select(Qualification).join(User, User.id == Qualification.user_id).where(
            User.cki_id == cki, Qualification.valid_to.is_not(None), Qualification.valid_to >= day,
            Qualification.valid_to <= day + timedelta(days=60)).order_by(Qualification.valid_to).limit(LIST)).all()
        sections.append(_section(_("Goed te keuren en te bewaken"), [
            {"label": _("Briefsjabloon %(kind)s versie %(version)s goedkeuren", kind=t.kind, version=t.version),
             "url": url_for("letters.templates", kind=t.kind), "due": None} for t in drafts] + [
            {"label": _("Kwalificatie %(function)s %(scheme)s van gebruiker %(user)s verloopt", function=q.function,
                        scheme=q.scheme, user=q.user_id), "due": q.valid_to,
             "url": url_for("deadlines.overview")}
            for q in expiring]))
    if p.has_any(*OVERSEERS):
        overdue = db.session.scalar(sa.select(sa.func.count()).where(
            Deadline.cki_id == cki, Deadline.state == DeadlineState.OPEN.value, Deadline.due_on < day))
        sections.append(_section(_("Verlopen in de hele CKI"), [
            {"label": _("%(count)s verlopen termijn(en)", count=overdue), "url": url_for("deadlines.overview", scope="overdue"),
             "due": None}], count=overdue))
    return sections + _notifications_section()


def _notifications_section():
    p = current_principal()
    if p.user_id is None:
        return []
    unread = db.session.scalars(my_notifications().where(Notification.read_at.is_(None))
                                .order_by(Notification.id.desc()).limit(5)).all()
    return [_section(_("Nieuwe berichten"), [{"label": n.text, "url": n.url or url_for("deadlines.notifications"),
                                              "due": n.dated_on} for n in unread],
                     empty=_("Geen nieuwe berichten."), more={"url": url_for("deadlines.notifications"),
                                                             "label": _("Alle berichten")})]


@bp.record_once
def _install(state):
    state.app.extensions["cki.work_list"] = work_list


@bp.route("/termijnen/")
@login_required
def overview():
    """Open deadlines: mine, or (planners, quality manager) every overdue one of the CKI."""
    p = current_principal()
    scope = request.args.get("scope", "mine")
    if scope == "overdue" and p.company_id is None and admits(p, OVERSEERS):
        stmt = visible_deadlines().where(Deadline.state == DeadlineState.OPEN.value, Deadline.due_on < today())
    else:
        scope, stmt = "mine", my_deadlines()
    rows = db.session.scalars(stmt.order_by(Deadline.due_on, Deadline.id).limit(1000)).all()
    return render_template("deadlines/overview.html", rows=rows, scope=scope, today=today(),
                           may_oversee=p.company_id is None and admits(p, OVERSEERS))


@bp.route("/berichten/", methods=["GET", "POST"])
@login_required
def notifications():
    """One's notifications (berichten); which reminders also come by e-mail; one's calendar address."""
    from cki.users.models import User

    p = current_principal()
    if p.user_id is None:
        abort(403)
    user = db.session.get(User, p.user_id)
    if request.method == "POST":
        action = request.form.get("action")
        if action == "read":
            for notification in db.session.scalars(my_notifications().where(Notification.read_at.is_(None))):
                operations.mark_read(notification)
            flash(_("Alle berichten gelezen."), "info")
        elif action == "preferences":
            for kind in KIND_LABELS:
                operations.set_preference(user, kind, request.form.get(f"email_{kind}") == "1")
            flash(_("Uw keuze voor herinneringen per e-mail is opgeslagen."), "info")
        elif action == "calendar":
            token = operations.renew_calendar_token(user)
            flash(_("Uw nieuwe agenda-adres (het oude werkt niet meer): %(url)s",
                    url=url_for("deadlines.calendar_feed", token=token, _external=True)), "info")
        else:
            abort(400)
        db.session.commit()
        return redirect(url_for(".notifications"))
    rows = db.session.scalars(my_notifications().order_by(Notification.id.desc()).limit(200)).all()
    off = {r.kind for r in db.session.scalars(sa.select(ReminderPreference).where(
        ReminderPreference.user_id == user.id, ReminderPreference.email.is_(False)))}
    return render_template("deadlines/notifications.html", rows=rows, kinds=KIND_LABELS, off=off)


@bp.route("/post/uitgaande-email", methods=["GET", "POST"])
@login_required
def outbox():
    p = current_principal()
    if not admits(p, (Role.OFFICE,)):
        abort(403)
    if request.method == "POST":
        message = db.session.scalar(sa.select(OutgoingMail).where(
            OutgoingMail.cki_id == p.cki_id, OutgoingMail.id == form_int(request.form.get("mail_id"))))
        if message is None:
            abort(404)
        operations.retry_mail(message)
        db.session.commit()
        flash(_("De e-mail gaat binnen een minuut opnieuw."), "info")
        return redirect(url_for(".outbox"))
    rows = db.session.scalars(sa.select(OutgoingMail).where(
        OutgoingMail.cki_id == p.cki_id, OutgoingMail.status != MailStatus.SENT.value)
        .order_by(OutgoingMail.id.desc()).limit(500)).all()
    return render_template("deadlines/outbox.html", rows=rows)


@bp.route("/kalender/<token>.ics")
def calendar_feed(token):
    """The personal iCalendar feed behind a secret URL: one's open deadlines and planned audits
    (a company: its own, never an unannounced audit before it took place)."""
    from icalendar import Calendar, Event

    from cki.surveillance.models import Audit, AuditAuditor

    user = operations.user_of_calendar_token(token[:100])
    if user is None:
        abort(404)
    tz = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
    cal = Calendar()
    cal.add("prodid", "-//cki//termijnen//NL")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Termijnen {user.name}")
    deadlines = sa.select(Deadline).where(Deadline.cki_id == user.cki_id, Deadline.state == DeadlineState.OPEN.value)
    if user.company_id is not None:
        deadlines = deadlines.where(Deadline.company_id == user.company_id, Deadline.for_company.is_(True))
        audits = sa.select(Audit).where(Audit.company_id == user.company_id, Audit.unannounced.is_(False),
                                        Audit.status == "planned")
    else:
        roles = [r.value for r in user.roles]
        deadlines = deadlines.where(Deadline.for_company.is_(False), sa.or_(
            Deadline.user_id == user.id, sa.and_(Deadline.user_id.is_(None), Deadline.role.in_(roles))))
        audits = sa.select(Audit).join(AuditAuditor, AuditAuditor.audit_id == Audit.id).where(
            AuditAuditor.user_id == user.id, Audit.status == "planned")
    base = request.url_root.rstrip("/")
    for d in db.session.scalars(deadlines.order_by(Deadline.due_on).limit(2000)):
        event = Event()
        event.add("uid", f"deadline-{d.id}-{d.due_on.isoformat()}@cki")
        event.add("summary", f"Termijn: {d.label}")
        event.add("dtstart", d.due_on)
        event.add("dtend", d.due_on + timedelta(days=1))
        event.add("description", (d.rule or "") + f"\n{base}{d.url}")
        cal.add_component(event)
    for audit in db.session.scalars(audits.order_by(Audit.planned_on).limit(2000)):
        event = Event()
        event.add("uid", f"audit-{audit.id}@cki")
        event.add("summary", f"Beoordeling {audit.location or ''}".strip())
        event.add("dtstart", datetime.combine(audit.planned_on, time(8, 0), tzinfo=tz))
        event.add("dtend", datetime.combine(audit.planned_on, time(17, 0), tzinfo=tz))
        cal.add_component(event)
    cal.add_missing_timezones()
    return Response(cal.to_ical(), mimetype="text/calendar",
                    headers={"Content-Disposition": 'inline; filename="termijnen.ics"', "Cache-Control": "no-store"})
