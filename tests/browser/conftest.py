"""The browser checks use the report tests' seeded company."""

from tests.bot.web.conftest import world  # noqa: F401  (a fixture)
