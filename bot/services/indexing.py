"""Temporary: services/stories.py still imports the indexer from here until the stories branch
(which calls it through its own port) is merged; delete this file then."""

from bot.services.knowledge.indexing import KnowledgeIndexer

__all__ = ["KnowledgeIndexer"]
