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
        """List the companies you may see (a company user: only its own)."""
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
        """Register a company (staff: admin, planner, office)."""
        company = operations.create_company(current_principal().cki_id, data)
        db.session.commit()
        return company


@blp.route("/companies/<int:company_id>")
class CompanyItem(MethodView):
    @require()
    @blp.response(200, CompanySchema)
    def get(self, company_id):
        """One company with its branches."""
        return get_or_404(Company, company_id)

    @require(*EDITORS)
    @blp.arguments(CompanyUpdateSchema)
    @blp.response(200, CompanySchema)
    def patch(self, data, company_id):
        """Change name, place or KvK number."""
        company = operations.update_company(get_or_404(Company, company_id), data)
        db.session.commit()
        return company


@blp.route("/companies/<int:company_id>/branches")
class Branches(MethodView):
    @require()
    @blp.response(200, BranchSchema(many=True))
    def get(self, company_id):
        """The branches (vestigingen/filialen) of a company."""
        return get_or_404(Company, company_id).branches

    @require(*EDITORS)
    @blp.arguments(BranchSchema)
    @blp.response(201, BranchSchema)
    def post(self, data, company_id):
        """Add a branch."""
        branch = operations.create_branch(get_or_404(Company, company_id), data)
        db.session.commit()
        return branch


@blp.route("/branches/<int:branch_id>")
class BranchItem(MethodView):
    @require()
    @blp.response(200, BranchSchema)
    def get(self, branch_id):
        """One branch."""
        return get_or_404(Branch, branch_id)

    @require(*EDITORS)
    @blp.arguments(BranchUpdateSchema)
    @blp.response(200, BranchSchema)
    def patch(self, data, branch_id):
        """Change a branch."""
        branch = operations.update_branch(get_or_404(Branch, branch_id), data)
        db.session.commit()
        return branch
