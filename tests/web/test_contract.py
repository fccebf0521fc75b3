"""The API fuzzed against its own OpenAPI schema (schemathesis, in process): every operation
with generated valid and invalid requests, each answer checked against what the schema says
(status codes, content types, bodies, headers), no 500s, valid data accepted, invalid data
refused, the token enforced, undocumented methods answered 405 with the right Allow."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from newsloom.serve import create_app

from .conftest import TEST_CONFIG, WRITE

# bounded so the suite stays fast; NEWSLOOM_FUZZ_EXAMPLES=500 for a deeper run
EXAMPLES_PER_OPERATION = int(os.environ.get("NEWSLOOM_FUZZ_EXAMPLES", "20"))


@pytest.fixture(scope="module")
def api_schema(writable_db, comparer):
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(writable_db, TEST_CONFIG, comparer=comparer))


def no_article_in_the_page(case, response) -> bool:
    """A page or text in which the cleaner finds no article (every line is boilerplate to it,
    e.g. fuzzed text read as a copyright line): schema-valid, yet refused with E100 (no schema
    can say what the cleaner will keep)."""
    return (case.operation.label == "POST /api/articles" and response.status_code == 400
            and isinstance(case.body, dict)
            and (case.body.get("html") is not None or case.body.get("text") is not None)
            and response.json().get("code") == "E100"
            and response.json().get("cause", "").startswith("no article text found"))


@schemathesis.check
def valid_data_accepted(ctx, response, case):
    """schemathesis' positive_data_acceptance, but for ``no_article_in_the_page``."""
    if no_article_in_the_page(case, response):
        return None
    return positive_data_acceptance(ctx, response, case)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_keeps_its_contract(case):
    case.call_and_validate(headers=WRITE, excluded_checks=[positive_data_acceptance])
