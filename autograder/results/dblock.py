"""One writer at a time in a gradebook that several graders share.

nbgrader's gradebook API checks for a row and then inserts it, and creates its tables (and, on
PostgreSQL, its enum types) the first time it opens a database. Two graders that start together on
one database (two teaching assistants on halves of a class, or two machines) both try to create the
same schema, assignment and notebooks, and one of them fails with a duplicate key. ``gradebook_lock``
makes those short phases take turns; the notebooks themselves are still graded in parallel.

* PostgreSQL: a session-level advisory lock (``pg_advisory_lock``) on a dedicated connection, so it
  works across machines and is released by the server if the grader dies.
* SQLite: an exclusive ``flock`` on ``<database>.lock`` beside the file (one machine by nature).
* Anything else: no lock.
"""

from __future__ import annotations

import fcntl
import zlib
from contextlib import contextmanager
from pathlib import Path

#: Advisory-lock key shared by every nn-basics grader (a fixed 32-bit number).
LOCK_KEY = zlib.crc32(b"nn-basics autograder gradebook")


@contextmanager
def gradebook_lock(db_url: str):
    """Hold the gradebook's writer lock for the duration of the ``with`` block."""
    if db_url.startswith("postgres"):  # postgres://, postgresql://, postgresql+psycopg2://
        from sqlalchemy import create_engine, text

        engine = create_engine(db_url)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
                conn.commit()  # the lock belongs to the session, not to this transaction
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                    conn.commit()
        finally:
            engine.dispose()
    elif db_url.startswith("sqlite:///") and db_url != "sqlite:///:memory:":
        path = Path(db_url[len("sqlite:///") :])
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(f"{path}.lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    else:
        yield
