"""Shared pytest set-up: fixtures live in plugin modules so each area owns its own."""

pytest_plugins = [
    "tests.fixtures_db",
    "tests.harness.fixtures",
    "tests.fixtures_app",
    "tests.log_scan",
]
