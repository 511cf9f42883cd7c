"""Project-wide pytest setup: shared fixtures and the recorded-capture hooks live in tests/support/."""

pytest_plugins = ["pytester", "tests.support.fixtures", "tests.support.recorded", "tests.support.browser_artifacts"]
