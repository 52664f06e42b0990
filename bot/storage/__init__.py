"""Storage: SQLModel tables, query functions, the stores services use, Alembic migrations.

Services never see a row or a session. They talk to store classes (`SqlStoryStore`,
`SqlDecisionStore`, `SqlQuestionStore`, `SqlDigestStore`, `SqlEventLog`), whose every public
method is one unit of work (one session, committed) taking and returning `bot.domain` types.
Inside storage, query functions take the session as a keyword argument and leave committing to
the store that calls them. Schema changes go through Alembic: ``bot.storage.migrate.upgrade``
(``apo migrate``). Import from the module that defines a name; this package re-exports nothing.
"""
