"""Test databases: each bundle set is bootstrapped once into a template, then cloned per test.

SQLite (default): the template is a file, cloned by copying it. PostgreSQL (set
TEST_DATABASE_URL=postgresql://user@127.0.0.1:port/postgres): the template is a database,
cloned with CREATE DATABASE ... TEMPLATE.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


class SqliteDatabases:
    def __init__(self, root: Path):
        self.root = root

    def url(self, name: str) -> str:
        return f"sqlite:///{self.root / (name + '.sqlite')}"

    def template(self, name: str, build: Callable[[str], None]) -> str:
        path = self.root / f"template_{name}.sqlite"
        if not path.exists():
            build(f"sqlite:///{path}")
        return str(path)

    def clone(self, template: str) -> str:
        target = self.root / f"db_{uuid.uuid4().hex}.sqlite"
        shutil.copyfile(template, target)
        return f"sqlite:///{target}"

    def drop(self, url: str) -> None:
        Path(make_url(url).database).unlink(missing_ok=True)


class PostgresDatabases:
    def __init__(self, admin_url: str):
        self.admin = make_url(admin_url.replace("postgresql://", "postgresql+psycopg://", 1))
        self.engine = create_engine(self.admin, isolation_level="AUTOCOMMIT")
        self.prefix = f"govit_{os.getpid()}_"

    def _url(self, database: str) -> str:
        return self.admin.set(database=database).render_as_string(hide_password=False)

    def template(self, name: str, build: Callable[[str], None]) -> str:
        database = f"{self.prefix}template_{name}"
        with self.engine.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{database}"'))
                build(self._url(database))
        return database

    def clone(self, template: str) -> str:
        database = f"{self.prefix}{uuid.uuid4().hex[:12]}"
        with self.engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{database}" TEMPLATE "{template}"'))
        return self._url(database)

    def drop(self, url: str) -> None:
        database = make_url(url).database
        with self.engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))

    def drop_all(self) -> None:
        with self.engine.connect() as conn:
            names = conn.scalars(text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                                 {"p": self.prefix + "%"}).all()
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def databases(tmp_root: Path) -> SqliteDatabases | PostgresDatabases:
    url = os.environ.get("TEST_DATABASE_URL")
    return PostgresDatabases(url) if url else SqliteDatabases(tmp_root)
