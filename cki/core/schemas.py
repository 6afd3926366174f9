"""Marshmallow building blocks shared by the domain schemas."""
import marshmallow as ma
from marshmallow import validate

KVK = validate.Regexp(r"^\d{8}$", error="Een KvK-nummer bestaat uit precies 8 cijfers.")


def not_blank(value: str):
    if not value or not value.strip():
        raise ma.ValidationError("Mag niet leeg zijn.")


class StrictSchema(ma.Schema):
    """Unknown fields are an error (422), not silently dropped."""

    class Meta:
        unknown = ma.RAISE
        ordered = True
