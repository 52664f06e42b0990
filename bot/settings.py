"""Runtime settings from the environment (and `.env`).

The names are the runtime contract in design.md §3; they are shared by deployments, docs and
tests, so add to them but never rename them. Secrets are `SecretStr` so they never end up in a
log line or a traceback by accident.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError
from bot.resources import resource_dir
from bot.retrieval.evidence import DEFAULT_MIN_CONFIDENCE

SLACK_APPS_URL = "https://api.slack.com/apps"
# What .env.example holds until someone fills it in: a value still ending in "..." is one of them.
PLACEHOLDER_SUFFIXES = ("...", "…")
# Local OpenAI-compatible servers (Ollama, vLLM, LM Studio) check no key, but the OpenAI SDK
# refuses to start without one; this stands in when only OPENAI_BASE_URL is set.
LOCAL_SERVER_KEY = "no-key-needed"
DEFAULT_KNOWLEDGE_DIR = resource_dir("knowledge")


class Settings(BaseSettings):
    """Every setting the bot reads; each field's alias is its environment variable."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    slack_bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_api_url: str = Field(default="https://slack.com/api/", alias="SLACK_API_URL")

    openai_api_key: SecretStr | None = Field(default=None, alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, alias="OPENAI_BASE_URL")
    chat_model: str = Field(default="gpt-4.1-mini", alias="APO_CHAT_MODEL")
    llm_timeout_seconds: float = Field(default=60.0, alias="APO_LLM_TIMEOUT", gt=0)
    llm_max_retries: int = Field(default=2, alias="APO_LLM_MAX_RETRIES", ge=0, le=10)

    embeddings: str = Field(default="local", alias="APO_EMBEDDINGS")
    database_url: str = Field(default="sqlite:///data/apo.db", alias="DATABASE_URL")
    chroma_path: str = Field(default="data/chroma", alias="CHROMA_PATH")
    chroma_url: str | None = Field(default=None, alias="CHROMA_URL")
    config_path: str = Field(default="apo.yaml", alias="APO_CONFIG")
    knowledge_dir: str = Field(default=str(DEFAULT_KNOWLEDGE_DIR), alias="APO_KNOWLEDGE_DIR")
    max_note_chars: int = Field(default=60_000, alias="APO_MAX_NOTE_CHARS", gt=0)
    notes_part_chars: int = Field(default=12_000, alias="APO_NOTES_PART_CHARS", ge=500)
    answer_min_confidence: float = Field(
        default=DEFAULT_MIN_CONFIDENCE, alias="APO_ANSWER_MIN_CONFIDENCE", ge=0, le=1
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", alias="APO_LOG_LEVEL"
    )
    # `json`: one JSON object per line with correlation ids (bot.ops.logs).
    log_format: Literal["text", "json"] = Field(default="text", alias="APO_LOG_FORMAT")
    # Where `apo worker` (and a Socket Mode web side) serve /metrics and /healthz; unset = not
    # served. Worker N started by `apo serve` uses this port + 1 + N.
    metrics_port: int | None = Field(default=None, alias="APO_METRICS_PORT", ge=1, le=65535)
    # How often each worker asks to be the digest scheduler: a dead scheduler's replica is
    # replaced within this long (PostgreSQL; with SQLite there is one process).
    leader_check_seconds: float = Field(default=15.0, alias="APO_LEADER_CHECK_SECONDS", gt=0)
    # Extra or changed model prices for `apo stats` (bot.ops.costs): model=PROMPT/COMPLETION.
    model_prices: str | None = Field(default=None, alias="APO_MODEL_PRICES")
    slack_retry_attempts: int = Field(default=3, alias="APO_SLACK_RETRIES", ge=0, le=10)
    message_retention_days: int = Field(default=90, alias="APO_MESSAGE_RETENTION_DAYS", ge=1)
    doctor_timeout: float = Field(default=3.0, alias="APO_DOCTOR_TIMEOUT", gt=0)
    # Jira Cloud (README → Jira): the account the bot files issues as, and its API token.
    jira_email: str | None = Field(default=None, alias="JIRA_EMAIL")
    jira_api_token: SecretStr | None = Field(default=None, alias="JIRA_API_TOKEN")
    jira_timeout: float = Field(default=15.0, alias="APO_JIRA_TIMEOUT", gt=0)
    # The job queue (bot.jobs): empty = a SQLite file beside the SQLite database.
    queue_url: str | None = Field(default=None, alias="APO_QUEUE_URL")
    workers: int = Field(default=1, alias="APO_WORKERS", ge=0, le=32)
    worker_threads: int = Field(default=4, alias="APO_WORKER_THREADS", ge=1, le=64)
    # A running job's worker renews its lease every quarter of it; a job whose lease lapsed
    # (its worker died) is sent again at the next sweep, up to the attempts allowed.
    job_lease_seconds: float = Field(default=60.0, alias="APO_JOB_LEASE_SECONDS", gt=0)
    job_sweep_seconds: float = Field(default=10.0, alias="APO_JOB_SWEEP_SECONDS", gt=0)
    job_max_attempts: int = Field(default=4, alias="APO_JOB_MAX_ATTEMPTS", ge=1, le=20)
    # Several workspaces, one deployment: Slack's OAuth v2 install flow instead of one
    # SLACK_BOT_TOKEN; each workspace's bot token is kept in the database.
    slack_oauth: bool = Field(default=False, alias="APO_SLACK_OAUTH")
    slack_client_id: str | None = Field(default=None, alias="SLACK_CLIENT_ID")
    slack_client_secret: SecretStr | None = Field(default=None, alias="SLACK_CLIENT_SECRET")
    # The public redirect URL registered with the app (https://HOST/slack/oauth_redirect);
    # unset, Slack uses the one registered on the app's OAuth & Permissions page.
    slack_redirect_url: str | None = Field(default=None, alias="SLACK_REDIRECT_URI")

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_ends_with_slash(cls, value: str) -> str:
        # slack_sdk joins base_url and method name by plain concatenation.
        return value if value.endswith("/") else value + "/"

    @field_validator(
        "openai_base_url",
        "chroma_url",
        "openai_api_key",
        "slack_bot_token",
        "slack_app_token",
        "slack_signing_secret",
        "jira_email",
        "jira_api_token",
        "slack_client_id",
        "slack_client_secret",
        "slack_redirect_url",
        "metrics_port",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `OPENAI_API_KEY=` in .env means "not set", not "the empty key".
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _local_server_needs_no_key(self) -> Settings:
        if self.openai_api_key is None and self.openai_base_url:
            self.openai_api_key = SecretStr(LOCAL_SERVER_KEY)
        return self

    @property
    def uses_local_model_server(self) -> bool:
        """OPENAI_BASE_URL set without a key: a server such as Ollama that checks none."""
        key = self.openai_api_key
        return key is not None and key.get_secret_value() == LOCAL_SERVER_KEY

    @property
    def socket_mode(self) -> bool:
        """Socket Mode is chosen by the presence of an app-level token (design.md §3)."""
        return self.slack_app_token is not None

    def secrets(self) -> list[str]:
        """Every secret value set, for the log redactor."""
        values = [
            self.slack_bot_token,
            self.slack_app_token,
            self.slack_signing_secret,
            self.openai_api_key,
            self.slack_client_secret,
        ]
        return [v.get_secret_value() for v in values if v is not None]

    def require_oauth(self) -> tuple[str, str]:
        """The app's client id and secret, when APO_SLACK_OAUTH is on; HTTP mode only, since
        the install flow needs pages a browser can reach."""
        where = (
            f"your Slack app's *Basic Information → App Credentials* ({SLACK_APPS_URL}); "
            "APO_SLACK_OAUTH=true needs it for the install flow"
        )
        client_id = _require(
            SecretStr(self.slack_client_id) if self.slack_client_id else None,
            "SLACK_CLIENT_ID",
            where,
        )
        secret = _require(self.slack_client_secret, "SLACK_CLIENT_SECRET", where)
        if self.socket_mode:
            raise ConfigError(
                "APO_SLACK_OAUTH=true installs the app into several workspaces through web "
                "pages (/slack/install), which needs HTTP mode: unset SLACK_APP_TOKEN."
            )
        return client_id, secret

    def require_bot_token(self) -> str:
        return _require(
            self.slack_bot_token,
            "SLACK_BOT_TOKEN",
            "the bot token (xoxb-…) from your Slack app's *OAuth & Permissions* page "
            f"({SLACK_APPS_URL})",
        )

    def require_app_token(self) -> str:
        return _require(
            self.slack_app_token,
            "SLACK_APP_TOKEN",
            "an app-level token (xapp-…) with the connections:write scope, from your Slack "
            f"app's *Basic Information* page ({SLACK_APPS_URL}); it turns on Socket Mode",
        )

    def require_signing_secret(self) -> str:
        return _require(
            self.slack_signing_secret,
            "SLACK_SIGNING_SECRET",
            "the signing secret from your Slack app's *Basic Information* page "
            f"({SLACK_APPS_URL}); HTTP mode needs it to verify requests",
        )


def _require(value: SecretStr | None, name: str, where: str) -> str:
    if value is None or not value.get_secret_value().strip():
        raise ConfigError(f"{name} is not set. Set it in the environment or in .env: {where}.")
    if is_placeholder(value):
        raise ConfigError(
            f"{name} is still the placeholder from .env.example. Replace it in .env with {where}."
        )
    return value.get_secret_value().strip()


def is_placeholder(value: SecretStr | str | None) -> bool:
    """A value copied from .env.example and never filled in (`xoxb-...`, `sk-...`)."""
    if value is None:
        return False
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    return text.strip().endswith(PLACEHOLDER_SUFFIXES)


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's validation errors into one readable ConfigError."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"Some settings are not valid: {problems}.") from exc
