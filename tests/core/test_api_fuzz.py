"""Schemathesis against /api/v1/openapi.json (issue 9, item 4): whatever a client sends — values
the schema allows and values it forbids, each also with an undeclared `Content-Type: text/plain`
— with a learner's and with an HR officer's token, the API never answers with a server error.

Bounded to a few examples per operation without shrinking, so the run stays well under a
minute. (Schemathesis's own pytest loader, `from_fixture`, fails on pytest 9; the operations'
Hypothesis strategies are driven directly instead.)"""

from __future__ import annotations

import time
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from sqlalchemy.orm import Session

from tests.accounts.test_api_auth import token_for
from tests.factories import World

EXAMPLES_PER_OPERATION = 8
BUDGET_SECONDS = 60


@pytest.mark.usefixtures("courses_imported")
def test_no_api_operation_answers_a_server_error(
    app: Any, client: Any, session: Session, world: World
) -> None:
    tokens = {
        role: token_for(client, user.nip or "")
        for role, user in (("learner", world.learner), ("hr", world.hr))
    }
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    started = time.monotonic()
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(
            case=operation.as_strategy(GenerationMode.POSITIVE)
            | operation.as_strategy(GenerationMode.NEGATIVE)
        )
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Any) -> None:
            for role, token in tokens.items():
                headers = {"Authorization": f"Bearer {token}"}
                variants = [headers]
                if case.body is not None and case.media_type == "application/json":
                    variants.append({**headers, "Content-Type": "text/plain"})
                for sent in variants:
                    response = case.call(headers=sent)
                    if response.status_code >= 500:
                        failures.append(
                            f"{role}: {case.method} {case.formatted_path} "
                            f"{sent.get('Content-Type', '')} -> {response.status_code}"
                        )

        call()
        assert time.monotonic() - started < BUDGET_SECONDS, "the fuzz run is over its budget"
    assert operations > 15
    assert failures == []
