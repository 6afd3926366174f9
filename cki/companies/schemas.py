import marshmallow as ma
from marshmallow import fields, validate

from cki.core.schemas import KVK, StrictSchema, not_blank


class BranchSchema(StrictSchema):
    id = fields.Int(dump_only=True)
    company_id = fields.Int(dump_only=True)
    name = fields.Str(allow_none=True, validate=validate.Length(max=200))
    address = fields.Str(required=True, validate=[not_blank, validate.Length(max=300)])
    kvk_number = fields.Str(allow_none=True, validate=KVK)
    is_head_office = fields.Bool(load_default=False)


class BranchUpdateSchema(BranchSchema):
    address = fields.Str(validate=[not_blank, validate.Length(max=300)])
    is_head_office = fields.Bool()


class CompanySchema(StrictSchema):
    id = fields.Int(dump_only=True)
    name = fields.Str(required=True, validate=[not_blank, validate.Length(max=200)])
    place = fields.Str(required=True, validate=[not_blank, validate.Length(max=100)])
    kvk_number = fields.Str(required=True, validate=KVK)
    branches = fields.List(fields.Nested(BranchSchema), dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class CompanyUpdateSchema(CompanySchema):
    name = fields.Str(validate=[not_blank, validate.Length(max=200)])
    place = fields.Str(validate=[not_blank, validate.Length(max=100)])
    kvk_number = fields.Str(validate=KVK)


class CompanyQuerySchema(ma.Schema):
    q = fields.Str(load_default=None, metadata={"description": "Zoek op naam, plaats of KvK"})
