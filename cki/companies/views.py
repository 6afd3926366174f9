import sqlalchemy as sa
import sqlalchemy.orm
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from cki.companies import operations
from cki.companies.models import Company
from cki.companies.permissions import may_edit, may_read
from cki.core.auth import current_principal
from cki.core.db import db
from cki.core.errors import DomainError
from cki.core.i18n import gettext as _
from cki.core.i18n import lazy_gettext
from cki.core.tenancy import get_or_404, scoped_select

bp = Blueprint("companies", __name__, url_prefix="/bedrijven", template_folder="templates")

KVK = Regexp(r"^\d{8}$", message=lazy_gettext("Een KvK-nummer bestaat uit precies 8 cijfers."))


class CompanyForm(FlaskForm):
    name = StringField(lazy_gettext("Naam"), validators=[DataRequired(lazy_gettext("Vul de naam in.")), Length(max=200)])
    place = StringField(lazy_gettext("Plaats"),
                        validators=[DataRequired(lazy_gettext("Vul de plaats in.")), Length(max=100)])
    kvk_number = StringField(lazy_gettext("KvK-nummer"),
                             validators=[DataRequired(lazy_gettext("Vul het KvK-nummer in.")), KVK])


class BranchForm(FlaskForm):
    name = StringField(lazy_gettext("Naam (optioneel)"), validators=[Optional(), Length(max=200)])
    address = StringField(lazy_gettext("Adres"),
                          validators=[DataRequired(lazy_gettext("Vul het adres in.")), Length(max=300)])
    kvk_number = StringField(lazy_gettext("KvK-nummer (optioneel)"), validators=[Optional(), KVK])
    is_head_office = BooleanField(lazy_gettext("Hoofdvestiging"))


def _can_edit() -> bool:
    return may_edit(current_principal())


@bp.before_request
@login_required
def _only_for_whom_it_is():
    if not may_read(current_principal()):
        abort(403)


def _form_to_data(form) -> dict:
    return {name: (field.data or None) if isinstance(field.data, str) else field.data
            for name, field in form._fields.items() if name != "csrf_token"}


@bp.route("/")
@login_required
def index():
    p = current_principal()
    if not p.is_staff:
        return redirect(url_for(".show", company_id=p.company_id))
    companies = db.session.scalars(scoped_select(Company).options(sa.orm.selectinload(Company.branches))
                                   .order_by(Company.name)).all()
    return render_template("companies/index.html", companies=companies, form=CompanyForm(),
                           can_edit=_can_edit())


@bp.route("/", methods=["POST"])
@login_required
def create():
    if not _can_edit():
        abort(403)
    form = CompanyForm()
    if form.validate_on_submit():
        try:
            company = operations.create_company(current_principal().cki_id, _form_to_data(form))
        except DomainError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(error.reason)
        else:
            db.session.commit()
            flash(_("Bedrijf %(name)s is geregistreerd.", name=company.name), "info")
            return redirect(url_for(".show", company_id=company.id))
    companies = db.session.scalars(scoped_select(Company).options(sa.orm.selectinload(Company.branches))
                                   .order_by(Company.name)).all()
    return render_template("companies/index.html", companies=companies, form=form, can_edit=True), 422


@bp.route("/<int:company_id>", methods=["GET", "POST"])
@login_required
def show(company_id):
    company = get_or_404(Company, company_id)
    form = BranchForm()
    status = 200
    if form.is_submitted():
        if not _can_edit():
            abort(403)
        if form.validate():
            operations.create_branch(company, _form_to_data(form))
            db.session.commit()
            flash(_("Vestiging toegevoegd."), "info")
            return redirect(url_for(".show", company_id=company.id))
        status = 422
    return render_template("companies/show.html", company=company, form=form,
                           can_edit=_can_edit()), status
