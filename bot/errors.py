"""Errors a user may see.

Everything a person should read derives from :class:`BotError` and carries a message written
for them. Anything else is a bug: the Slack error handler logs it and shows a generic apology with
a correlation id, never the exception text.
"""

from __future__ import annotations


class BotError(Exception):
    """An error with a message that is safe and useful to show to a Slack user."""

    def __init__(
        self, user_message: str, *, detail: str | None = None, operator_message: str | None = None
    ) -> None:
        super().__init__(detail or user_message)
        self.user_message = user_message
        # What the person running the bot should do (`apo doctor`, the CLI), where that differs
        # from what a Slack user is told: "start the Chroma server at …" is not for the asker.
        self.for_operator = operator_message or user_message


class ConfigError(BotError):
    """A setting or the projects file is missing or wrong; the message says what to set."""


class LLMError(BotError):
    """The language model could not give a usable answer (after retries)."""


class LLMTimeout(LLMError):
    """The language model did not answer in time."""


class LLMRateLimited(LLMError):
    """The language model's provider keeps answering 429."""


class LLMBadOutput(LLMError):
    """The model answered, but not with output that fits the expected schema."""


class PromptError(Exception):
    """A prompt template is missing or was given the wrong variables (a programming error)."""


class NotFound(BotError):
    """A thing the user referred to does not exist."""


class NotAllowed(BotError):
    """The user may not do this (for example, review a story without being a reviewer)."""


class TrackerError(BotError):
    """The issue tracker (Jira) refused or could not take a request.

    `setting` names what a person must fix (`JIRA_API_TOKEN`, `jira.project in apo.yaml`);
    `transient` is True when trying again later may work (the tracker was down, timed out or
    kept rate-limiting). A transient failure of a create may still have created the issue, so
    whoever retries searches for it first."""

    def __init__(
        self,
        user_message: str,
        *,
        setting: str | None = None,
        transient: bool = False,
        detail: str | None = None,
    ) -> None:
        super().__init__(user_message, detail=detail)
        self.setting = setting
        self.transient = transient
