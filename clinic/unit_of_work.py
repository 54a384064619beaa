"""The unit of work: the one owner of a use case's transaction, for web, workers, scheduler and CLI alike.

    with UnitOfWork(factory) as uow:
        service.do_something(uow.session, ...)

The rules:
- A unit commits when its block ends normally and rolls back when it raises; it closes its session either
  way. It holds the only `commit(` of clinic, web, workers and scheduler: services and stores never
  commit or roll back.
- `UnitOfWork(factory, autocommit=True)`: for a use case that only reads, or changes the database in one
  statement (which commits by itself, or fails and changes nothing). `factory` then hands out sessions on
  an autocommit connection (web.database.HeldSessions): no BEGIN and COMMIT round trips. The unit commits
  nothing there; it only refuses to drop ORM changes that were never flushed (a programming error).
- `keep(session, write)`: a write that must survive the failure of its use case (the audit row of a denied
  read of a medical record; the revocation of a sign-in whose refresh token was reused). It runs at once, in
  the unit's transaction; if the use case then fails, the unit rolls back and applies the kept writes again
  in a transaction of their own, before the error goes on to its caller. `write` takes the session and is
  called again after the rollback: it must not rely on ORM objects loaded before it (pass values).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

# Key of `Session.info` naming the unit that owns a session (how `keep` finds it).
_UNIT = "unit_of_work"

Write = Callable[[Session], object]


class UnitOfWork:
    """A session and its transaction for one use case (see the module's rules)."""

    __slots__ = ("factory", "autocommit", "session", "_kept", "_writing")

    def __init__(self, factory: Callable[[], Session], *, autocommit: bool = False) -> None:
        self.factory = factory
        self.autocommit = autocommit
        self.session: Session | None = None
        self._kept: list[Write] = []
        self._writing = False

    def __enter__(self) -> UnitOfWork:
        return self.begin()

    def __exit__(self, kind, error, traceback) -> None:
        self.end(failed=kind is not None)

    def begin(self) -> UnitOfWork:
        self.session = self.factory()
        self.session.info[_UNIT] = self
        return self

    def end(self, *, failed: bool = False) -> None:
        """Commit (or roll back, when the use case `failed`), then close. A commit that fails rolls back and
        raises."""
        session = self.session
        try:
            if not failed:
                try:
                    self._commit(session)
                except BaseException:
                    self._roll_back(session)
                    raise
            else:
                self._roll_back(session)
        finally:
            session.info.pop(_UNIT, None)
            session.close()

    def keep(self, write: Write) -> None:
        """Run `write` now, in this unit's transaction, and keep it even if the use case fails."""
        if self._writing:  # a write kept inside a kept write (or its replay): part of that one
            write(self.session)
            return
        self._writing = True
        try:
            write(self.session)
            self.session.flush()
        finally:
            self._writing = False
        if not self.autocommit:  # on an autocommit connection it committed already
            self._kept.append(write)

    def _commit(self, session: Session) -> None:
        if not self.autocommit:
            session.commit()
            return
        if session.new or session.dirty or session.deleted:
            raise UnflushedChanges("a unit of work on an autocommit connection would drop ORM changes never flushed")
        if session.in_transaction():  # the ORM was used: end its (server-side empty) transaction
            session.commit()

    def _roll_back(self, session: Session) -> None:
        if self.autocommit and not session.in_transaction():
            return  # nothing of the session's own to undo: each statement committed or failed by itself
        session.rollback()
        if self._kept:
            self._writing = True
            for write in self._kept:
                write(session)
            session.commit()


class UnflushedChanges(RuntimeError):
    """ORM changes left pending in a unit of work that runs without a transaction."""


def keep(session: Session, write: Write) -> None:
    """Run `write` on `session` now and keep it even if the use case fails (see the module's rules).

    A session that no unit owns (a test arranging data) just runs it."""
    unit = session.info.get(_UNIT)
    if unit is None:
        write(session)
        session.flush()
    else:
        unit.keep(write)
