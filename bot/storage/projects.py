"""Projects, kept in step with the projects file (APO_CONFIG) at start-up."""

from __future__ import annotations

from sqlmodel import Session

from bot.storage._sql import insert_ignore
from bot.storage.models import ProjectRecord


def upsert_project(key: str, name: str, *, language: str = "en", session: Session) -> ProjectRecord:
    """Create the project or update its name and language; safe when replicas start together."""
    inserted = insert_ignore(session, ProjectRecord(key=key, name=name, language=language), "key")
    project = session.get(ProjectRecord, key, populate_existing=True)
    assert project is not None
    if not inserted and (project.name, project.language) != (name, language):
        project.name = name
        project.language = language
        session.add(project)
        session.flush()
    return project
