"""Projects, kept in step with the projects file (APO_CONFIG) at start-up."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.errors import NotFound
from bot.storage._sql import insert_ignore
from bot.storage.models import Project


def upsert_project(key: str, name: str, *, language: str = "en", session: Session) -> Project:
    """Create the project or update its name and language; safe when replicas start together."""
    inserted = insert_ignore(session, Project(key=key, name=name, language=language), "key")
    project = session.get(Project, key, populate_existing=True)
    assert project is not None
    if not inserted and (project.name, project.language) != (name, language):
        project.name = name
        project.language = language
        session.add(project)
        session.flush()
    return project


def get_project(key: str, *, session: Session) -> Project:
    project = session.get(Project, key)
    if project is None:
        raise NotFound(f"There is no project `{key}`. Check the projects file (APO_CONFIG).")
    return project


def list_projects(*, session: Session) -> list[Project]:
    return list(session.exec(select(Project).order_by(col(Project.key))).all())
