"""Language-model access: prompt templates and a small chat-model interface services use."""

from bot.llm.base import ChatMessage, ChatModel, LLMUsage
from bot.llm.prompts import Prompt, PromptLibrary

__all__ = ["ChatMessage", "ChatModel", "LLMUsage", "Prompt", "PromptLibrary"]
