"""Fixtures of the education tests: the real content, loaded the way `seed_demo` loads it."""

import pytest
from django.core.management import call_command


@pytest.fixture
def content(db):
    """Every page of education/content/, as patients would see it."""
    call_command("load_content", verbosity=0)
