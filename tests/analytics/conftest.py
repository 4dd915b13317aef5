from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.analytics.cohort import Cohort, build_cohort
from tests.factories import World


@pytest.fixture
def cohort(session: Session, world: World, courses_imported: None) -> Cohort:
    """Learners of smart-governance with known pre- and post-test scores (cohort.LEARNERS)."""
    return build_cohort(session, world)
