"""Bad input never answers 500: schemathesis generates requests from the OpenAPI document, valid
and invalid ones, as a staff member and as a company user; no answer may be a server error."""
import contextlib

import hypothesis
import pytest
import schemathesis
from schemathesis import GenerationMode

from tests.test_isolation import add_tenant_rows

EXAMPLES = 15


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_error_for_any_generated_request(app, tenant, mode):
    add_tenant_rows(app, tenant)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @hypothesis.settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                             suppress_health_check=list(hypothesis.HealthCheck))
        @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
        def run(case):
            for who in ("planner", "company1"):
                response = case.call(headers={**(case.headers or {}), **tenant.auth(who)})
                if response.status_code >= 500:
                    failures.append(f"{who} {case.method} {case.formatted_path} {case.query} "
                                    f"{case.body!r:.200} -> {response.status_code}")

        with contextlib.suppress(hypothesis.errors.Unsatisfiable):  # an operation with nothing to vary
            run()
    if failures:
        pytest.fail("\n".join(sorted(set(failures))), pytrace=False)
