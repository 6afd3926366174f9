from flask import abort, url_for
from flask.views import MethodView

from cki.core.api import Blueprint
from cki.core.auth import current_principal, require
from cki.core.clock import today
from cki.core.db import db
from cki.core.tenancy import get_or_404
from cki.deadlines import operations
from cki.deadlines.models import Deadline, DeadlineState, Notification, OutgoingMail, ReminderPreference
from cki.deadlines.permissions import OFFICE, OVERSEERS, my_deadlines, my_notifications, visible_deadlines
from cki.deadlines.schemas import (
    CalendarTokenSchema,
    DeadlineQuerySchema,
    DeadlineSchema,
    MailQuerySchema,
    MailSchema,
    NotificationQuerySchema,
    NotificationSchema,
    PreferenceSchema,
)
from cki.users.models import User

blp = Blueprint("deadlines_api", __name__, tag="Termijnen en berichten", url_prefix="/api/v1",
                description="Termijnbewaking: uw termijnen en wat verlopen is, meldingen in de app, uw keuze voor "
                            "herinneringen per e-mail, uw persoonlijke agenda (iCalendar) en de uitgaande e-mail.")


def _user() -> User:
    """The person behind the request: notifications, preferences and feeds are a person's."""
    principal = current_principal()
    if principal.user_id is None:
        abort(403)
    return db.session.get(User, principal.user_id)


@blp.route("/deadlines")
@require()
@blp.arguments(DeadlineQuerySchema, location="query")
@blp.response(200, DeadlineSchema(many=True))
def list_deadlines(args):
    """Open termijnen, de vroegste eerst

    Uw eigen termijnen (of die van uw rollen; een bedrijf: de eigen), alle verlopen termijnen van de CKI
    (planners en de kwaliteitsmanager), of alle termijnen die u mag zien."""
    p = current_principal()
    if args["scope"] == "mine":
        stmt = my_deadlines()
    else:
        stmt = visible_deadlines().where(Deadline.state == DeadlineState.OPEN.value)
        if args["scope"] == "overdue":
            if p.company_id is None and not p.has_any(*OVERSEERS):
                stmt = stmt.where(Deadline.id.in_(my_deadlines().with_only_columns(Deadline.id)))
            stmt = stmt.where(Deadline.due_on < today())
    return db.session.scalars(stmt.order_by(Deadline.due_on, Deadline.id).limit(args["limit"])).all()


@blp.route("/notifications")
@require(anyone=True)
@blp.arguments(NotificationQuerySchema, location="query")
@blp.response(200, NotificationSchema(many=True))
def list_notifications(args):
    """Uw berichten in de app, de nieuwste eerst"""
    _user()
    stmt = my_notifications()
    if args["unread"]:
        stmt = stmt.where(Notification.read_at.is_(None))
    return db.session.scalars(stmt.order_by(Notification.id.desc()).limit(200)).all()


@blp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@require(anyone=True)
@blp.response(200, NotificationSchema)
def read_notification(notification_id):
    """Een van uw berichten als gelezen markeren"""
    _user()
    notification = db.session.scalar(my_notifications().where(Notification.id == notification_id))
    if notification is None:
        abort(404)
    operations.mark_read(notification)
    db.session.commit()
    return notification


@blp.route("/me/reminder-preferences")
class Preferences(MethodView):
    @require(anyone=True)
    @blp.response(200, PreferenceSchema(many=True))
    def get(self):
        """Uw keuzes voor herinneringen

        Per soort termijn of de herinneringen ook per e-mail komen (standaard: ja)."""
        return db.session.scalars(db.select(ReminderPreference).where(
            ReminderPreference.user_id == _user().id)).all()

    @require(anyone=True)
    @blp.arguments(PreferenceSchema)
    @blp.response(200, PreferenceSchema)
    def put(self, data):
        """Herinneringen van één soort per e-mail of alleen in de app"""
        operations.set_preference(_user(), data["kind"], data["email"])
        db.session.commit()
        return data


@blp.route("/me/calendar-token", methods=["POST"])
@require(anyone=True)
@blp.response(200, CalendarTokenSchema)
def renew_calendar():
    """Een nieuw geheim adres voor uw persoonlijke agenda

    De agendafeed met uw termijnen en geplande beoordelingen; het oude adres werkt daarna niet meer."""
    token = operations.renew_calendar_token(_user())
    db.session.commit()
    return {"url": url_for("deadlines.calendar_feed", token=token, _external=True)}


@blp.route("/outgoing-mail")
@require(*OFFICE)
@blp.arguments(MailQuerySchema, location="query")
@blp.response(200, MailSchema(many=True))
def list_mail(args):
    """Uitgaande e-mail

    Standaard wat na elke nieuwe poging nog steeds mislukt is; voor het secretariaat."""
    return db.session.scalars(db.select(OutgoingMail).where(
        OutgoingMail.cki_id == current_principal().cki_id, OutgoingMail.status == args["status"])
        .order_by(OutgoingMail.id.desc()).limit(500)).all()


@blp.route("/outgoing-mail/<int:mail_id>/retry", methods=["POST"])
@require(*OFFICE)
@blp.response(200, MailSchema)
def retry_mail(mail_id):
    """Een mislukt e-mailbericht opnieuw versturen

    De e-mailtaak pakt het binnen een minuut op."""
    message = operations.retry_mail(get_or_404(OutgoingMail, mail_id))
    db.session.commit()
    return message
