"""Settings from ``KENZEN_*`` environment variables, so secrets never live in files or logs."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kenzen.locations import DEFAULT_HOME, Locations


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KENZEN_", extra="ignore")

    home: Path = Field(
        default=DEFAULT_HOME, description="Where the embedded database and files live."
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; defaults to SQLite in WAL mode under KENZEN_HOME.",
    )
    event_store: str | None = Field(
        default=None,
        description="Where the orders and defects are stored: s3://bucket/prefix (the s3 "
        "extra; AWS_* variables give credentials and endpoint), a path or file:// URI; "
        "default KENZEN_HOME/events.",
    )
    spark_master: str = Field(
        default="local[2]",
        description="Where `kenzen metrics --engine spark` runs: local[N] or spark://host:port.",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int | None = Field(
        default=None,
        ge=1,
        le=32,
        description="Processes `kenzen serve` runs; default: one per CPU core, at most 4.",
    )
    policy: Path | None = Field(
        default=None, description="The enforcement policy file; default: Kenzen's own."
    )
    smtp_host: str | None = Field(
        default=None, description="Mail relay; without it notices are written to KENZEN_HOME/mail."
    )
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    session_days: int = Field(default=7, ge=1, description="Lifetime of a browser login.")
    secure_cookies: bool = Field(
        default=False, description="Mark cookies Secure; turn on behind HTTPS."
    )
    tls_cert: Path | None = Field(
        default=None, description="PEM certificate (chain): `kenzen serve` then speaks HTTPS."
    )
    tls_key: Path | None = Field(
        default=None, description="The PEM private key of KENZEN_TLS_CERT."
    )
    public_url: str | None = Field(
        default=None,
        description="The base of URLs Kenzen hands out (report documents), e.g. "
        "https://kenzen.example.com; never taken from a request's Host header.",
    )

    login_failures_per_account: str = Field(
        default="5 per 15 minutes",
        description="Failed logins an account may have.",
        validate_default=False,
    )
    login_failures_per_client: str = Field(
        default="20 per 15 minutes",
        description="Failed logins a client address may have.",
        validate_default=False,
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="The bearer token Prometheus presents to read /metrics (administrators "
        "may read it with their own token or session).",
        min_length=16,
    )
    webhook_allow_private: bool = Field(
        default=False,
        description="Allow webhook endpoints on loopback, private or link-local addresses.",
    )

    @field_validator("login_failures_per_account", "login_failures_per_client")
    @classmethod
    def _rate(cls, value: str) -> str:
        """Refuse a limit the throttle could not read, at startup rather than at a login.
        Only a limit someone set is read here (the defaults parse, tests/test_config.py), so
        a command that never logs anyone in does not load ``limits``."""
        from limits import parse

        parse(value)
        return value

    @property
    def base_url(self) -> str:
        """KENZEN_PUBLIC_URL, else where `kenzen serve` listens."""
        if self.public_url:
            return self.public_url.rstrip("/")
        scheme = "https" if self.tls_cert else "http"
        return f"{scheme}://{self.host}:{self.port}"

    @property
    def locations(self) -> Locations:
        return Locations(
            self.home, self.database_url or None, self.policy, self.event_store or None
        )

    @property
    def events_dir(self) -> Path:
        return self.locations.events_dir

    @property
    def mail_dir(self) -> Path:
        return self.locations.mail_dir

    @property
    def attachments_dir(self) -> Path:
        return self.locations.attachments_dir

    @property
    def keys_dir(self) -> Path:
        return self.locations.keys_dir

    @property
    def metrics_dir(self) -> Path:
        return self.locations.metrics_dir

    @property
    def resolved_database_url(self) -> str:
        return self.locations.resolved_database_url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
