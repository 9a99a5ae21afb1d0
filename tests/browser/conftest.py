"""The browser checks use the report tests' seeded company."""

from tests.reports.conftest import world  # noqa: F401  (a fixture)
