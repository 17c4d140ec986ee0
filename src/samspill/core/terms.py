"""Fixed terms that the command line states in its help as well as the services enforce: how long
a login link works and how many audit rows one listing holds. They live here, apart from the
services that use them, so the CLI reads them without loading the database layer."""

from __future__ import annotations

LOGIN_LINK_HOURS = 24
AUDIT_MAX_ROWS = 10_000
