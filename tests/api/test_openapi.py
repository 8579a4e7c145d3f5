"""The OpenAPI document: generated, valid 3.1, served with a docs page; Schemathesis against it."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from openapi_spec_validator import validate
from openapi_spec_validator.validation import OpenAPIV31SpecValidator
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from commons.auth.models import Role
from tests import factories
from tests.api.helpers import token_for
from tests.workflows.scenario import Cast, proposal_in

# Examples per operation and mode: enough to find a 5xx or a broken answer, within ~a minute.
EXAMPLES = 8


def test_document_is_valid_openapi_3_1(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    validate(document, cls=OpenAPIV31SpecValidator)
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal access token from your account page.",
    }
    paths = document["paths"]
    for path in (
        "/api/v1/proposals",
        "/api/v1/proposals/{proposal_id}/transitions/{trigger}",
        "/api/v1/commons",
        "/api/v1/audit/events",
        "/api/v1/documents/{sha256}/pdf",
    ):
        assert path in paths, path
    # Errors are documented as problem+json.
    error = document["components"]["responses"]["DEFAULT_ERROR"]
    assert list(error["content"]) == ["application/problem+json"]


def test_docs_page_uses_vendored_files_and_no_inline_script(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="/static/' in attrs and not body.strip() for attrs, body in scripts)
    assert "https://" not in "".join(attrs for attrs, _body in scripts)
    for asset in (
        "/static/vendor/swagger-ui/swagger-ui-bundle.js",
        "/static/vendor/swagger-ui/swagger-ui.css",
        "/static/js/api-docs.js",
    ):
        assert client.get(asset).status_code == 200, asset
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def _data(app) -> str:
    """Things to find: a person holding every role (the token's), proposals, a commons."""
    cast = Cast()
    everyone = factories.user(*Role, name="Eve Everyrole")
    for state in ("draft", "co_design", "active"):
        proposal_in(state, cast)
    factories.commons()
    return token_for(everyone)


# Schemathesis's pytest plugin does not run under pytest 9 yet, so the test drives Hypothesis
# itself: for every operation of the served document, valid and invalid requests.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_conforms_to_its_document(app, mode):
    """No 5xx, and every answer (status, content type, body) is what the document says."""
    headers = {"Authorization": f"Bearer {_data(app)}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    if mode is GenerationMode.NEGATIVE:
        checks.append(negative_data_rejection)
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(headers=headers, checks=checks)

        try:
            check()
        except Unsatisfiable:
            # Nothing to make invalid (no parameters, no body): the positive run covers it.
            assert mode is GenerationMode.NEGATIVE
