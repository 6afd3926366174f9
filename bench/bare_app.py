"""The reference for the intake benchmark: a bare Flask endpoint that inserts one row.

Same machine, same PostgreSQL, same gunicorn settings as the real intake, so the ratio
shows what cki's validation, rules, idempotency, matching and event log cost."""
import os

import sqlalchemy as sa
from flask import Flask, request

engine = sa.create_engine(os.environ["DATABASE_URL"], pool_size=5, pool_pre_ping=False)
rows = sa.Table("bench_bare", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("body", sa.JSON, nullable=False))
app = Flask(__name__)


@app.post("/insert")
def insert():
    with engine.begin() as conn:
        new_id = conn.execute(rows.insert().values(body=request.get_json()).returning(rows.c.id)).scalar_one()
    return {"id": new_id}, 201
