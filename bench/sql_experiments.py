"""The task-list query at the SQL level, as the app builds it, with and without proposed fixes.

`.venv/bin/python bench/sql_experiments.py DATABASE_URL` on a database left by
`bench/run.py --keep` (100k open cases). Times, per user: the app's `total` count, a count
capped at 1,001 rows, and the default page (ORDER BY due_at, ready_at LIMIT 50); first with the
current schema, then with `tasklist.proposed_index_sql` (dropped again afterwards, so the
database is left without it).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from bench.tasklist import PROPOSED_INDEX, proposed_index_sql, vacuum_analyze
from engine.cases import actionable
from engine.models import TaskIndex, User
from engine.users import actor_of

USERS = ("hrss_it", "hrss_division_a")
CAP = 1001  # "1,000+" is all a task list needs to show


def queries(session: Session, username: str) -> dict[str, Callable[[], object]]:
    """The three statements of GET /api/v1/tasks (default page), built by the app's own code."""
    actor = actor_of(session.scalar(select(User).where(User.username == username)))
    query = select(TaskIndex).where(actionable(actor))
    page = query.order_by(TaskIndex.due_at.is_(None), TaskIndex.due_at, TaskIndex.ready_at).limit(50)
    return {
        "count (app)": lambda: session.scalar(select(func.count()).select_from(query.subquery())),
        f"count capped at {CAP}": lambda: session.scalar(
            select(func.count()).select_from(query.limit(CAP).subquery())),
        "page of 50 (app)": lambda: session.scalars(page).all(),
    }


def timed(run: Callable[[], object], repeat: int = 30) -> float:
    """Median milliseconds of `repeat` runs after two warm-up runs."""
    for _ in range(2):
        run()
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples) * 1000


def measure(session: Session, label: str) -> None:
    for username in USERS:
        results = {name: timed(q) for name, q in queries(session, username).items()}
        print(f"{label:<22} {username:<16} " + "  ".join(f"{k} {v:7.2f} ms" for k, v in results.items()))


def _drop_proposed(session: Session) -> None:
    session.execute(text(f"DROP INDEX IF EXISTS {PROPOSED_INDEX}"))
    session.commit()


def main(url: str) -> int:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with Session(engine) as session:
        rows = session.scalar(select(func.count()).select_from(TaskIndex))
        print(f"{engine.dialect.name}, {rows:,} open tasks")
        _drop_proposed(session)  # bench/run.py leaves it in place
        vacuum_analyze(engine)
        measure(session, "current schema")
        session.execute(text(proposed_index_sql(engine)))
        session.commit()
        vacuum_analyze(engine)
        measure(session, "+ proposed index")
        _drop_proposed(session)
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
