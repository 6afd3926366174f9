from flask.views import MethodView

from cki.companies import operations
from cki.companies.models import Branch, Company
from cki.companies.permissions import EDITORS
from cki.companies.schemas import (
    BranchSchema,
    BranchUpdateSchema,
    CompanyQuerySchema,
    CompanySchema,
    CompanyUpdateSchema,
)
from cki.core.api import Blueprint
from cki.core.auth import current_principal, require
from cki.core.db import db
from cki.core.tenancy import get_or_404, scoped_select

blp = Blueprint("companies_api", __name__, tag="Bedrijven", url_prefix="/api/v1",
                description="Bedrijven (certificaathouders en kandidaten) en hun vestigingen.")



@blp.route("/companies")
class Companies(MethodView):
    @require()
    @blp.arguments(CompanyQuerySchema, location="query")
    @blp.response(200, CompanySchema(many=True))
    def get(self, args):
        """Bedrijven die u mag zien

        Een bedrijfsgebruiker ziet alleen het eigen bedrijf."""
        stmt = scoped_select(Company).order_by(Company.name)
        if args["q"]:
            like = f"%{args['q']}%"
            stmt = stmt.where(Company.name.ilike(like) | Company.place.ilike(like)
                              | Company.kvk_number.like(like))
        return db.session.scalars(stmt).all()

    @require(*EDITORS)
    @blp.arguments(CompanySchema)
    @blp.response(201, CompanySchema)
    def post(self, data):
        """Een bedrijf registreren

        Voor de staf: beheerder, planner en secretariaat."""
        company = operations.create_company(current_principal().cki_id, data)
        db.session.commit()
        return company


@blp.route("/companies/<int:company_id>")
class CompanyItem(MethodView):
    @require()
    @blp.response(200, CompanySchema)
    def get(self, company_id):
        """Eén bedrijf met zijn vestigingen"""
        return get_or_404(Company, company_id)

    @require(*EDITORS)
    @blp.arguments(CompanyUpdateSchema)
    @blp.response(200, CompanySchema)
    def patch(self, data, company_id):
        """Een bedrijf wijzigen

        Naam, plaats of KvK-nummer."""
        company = operations.update_company(get_or_404(Company, company_id), data)
        db.session.commit()
        return company


@blp.route("/companies/<int:company_id>/branches")
class Branches(MethodView):
    @require()
    @blp.response(200, BranchSchema(many=True))
    def get(self, company_id):
        """De vestigingen van een bedrijf

        Vestigingen en filialen."""
        return get_or_404(Company, company_id).branches

    @require(*EDITORS)
    @blp.arguments(BranchSchema)
    @blp.response(201, BranchSchema)
    def post(self, data, company_id):
        """Een vestiging toevoegen"""
        branch = operations.create_branch(get_or_404(Company, company_id), data)
        db.session.commit()
        return branch


@blp.route("/branches/<int:branch_id>")
class BranchItem(MethodView):
    @require()
    @blp.response(200, BranchSchema)
    def get(self, branch_id):
        """Eén vestiging"""
        return get_or_404(Branch, branch_id)

    @require(*EDITORS)
    @blp.arguments(BranchUpdateSchema)
    @blp.response(200, BranchSchema)
    def patch(self, data, branch_id):
        """Een vestiging wijzigen"""
        branch = operations.update_branch(get_or_404(Branch, branch_id), data)
        db.session.commit()
        return branch
