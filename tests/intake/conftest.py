"""Fixtures of the intake tests: a fake service source (booking's part) registered for one test only."""

import pytest

from intake.catalogue import ServiceOption, register_service_source, unregister_service_source

SERVICES = [
    ServiceOption("dry-needling", "Dry needling", needs_screening=True, uses_electrical_stimulation=False),
    ServiceOption(
        "needling-estim",
        "Dry needling with electrical stimulation",
        needs_screening=True,
        uses_electrical_stimulation=True,
    ),
    ServiceOption("assessment", "Physiotherapy assessment", needs_screening=False, uses_electrical_stimulation=False),
]


@pytest.fixture
def services():
    def source(location):
        return SERVICES

    register_service_source(source)
    yield SERVICES
    unregister_service_source(source)
