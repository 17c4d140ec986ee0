"""The web fixtures (an app and its client) for the assist's HTTP tests."""

from tests.web.conftest import app, client  # noqa: F401  (pytest fixtures)
