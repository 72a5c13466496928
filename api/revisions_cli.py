"""`flask processes …`: versions, diff, migration of cases under way (administrators)."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

from engine import regulations, revisions
from engine.errors import EngineError
from engine.revisions import summary_text
from engine.users import Actor

processes_cli = AppGroup("processes", help="Process versions: list, reschedule, diff, migrate cases.")
CLI_ADMIN = Actor(username="cli", display_name="命令行管理员", unit=None, is_admin=True, roles=frozenset())


def _fail(exc: EngineError) -> None:
    click.echo(f"✗ {exc.title}：{exc.detail}", err=True)
    for e in exc.errors:
        click.echo(f"  {e}", err=True)
    sys.exit(1)


@processes_cli.command("versions")
@click.argument("key")
def versions_command(key: str) -> None:
    """Every version of a process with its status, dates and cases."""
    try:
        rows = regulations.version_list(key)
    except EngineError as exc:
        _fail(exc)
    for v in rows:
        until = f" 至 {v['effective_until']}" if v["effective_until"] else ""
        click.echo(f"v{v['version']} {v['status_label']}（{v['status']}） 生效 {v['effective_from']}{until} "
                   f"案件 {v['cases']}（在办 {v['cases_running']}）")


@processes_cli.command("diff")
@click.argument("key")
@click.argument("a", type=int)
@click.argument("b", type=int)
@click.option("--json", "as_json", is_flag=True, help="JSON instead of the Chinese summary")
def diff_command(key: str, a: int, b: int, as_json: bool) -> None:
    """What changed between versions A and B of a process."""
    try:
        result = revisions.version_diff(key, a, b)
    except EngineError as exc:
        _fail(exc)
    click.echo(json.dumps(result, ensure_ascii=False, indent=1, default=str) if as_json else summary_text(result))


def _mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old or not new:
            raise click.BadParameter(f"应为 旧元素id=新元素id：{pair}", param_hint="--map")
        out[old] = new
    return out


@processes_cli.command("migrate")
@click.argument("key")
@click.argument("from_version", type=int)
@click.argument("to_version", type=int)
@click.option("--case", "cases", type=int, multiple=True, help="案件 id（可重复）；不指定则全部在办案件")
@click.option("--map", "pairs", multiple=True, help="旧元素id=新元素id（可重复）")
@click.option("--apply", is_flag=True, help="执行迁移（默认只试运行）")
def migrate_command(key: str, from_version: int, to_version: int, cases: tuple[int, ...],
                    pairs: tuple[str, ...], apply: bool) -> None:
    """Dry-run (default) or apply the move of cases under way from one version to another."""
    mapping, ids = _mapping(pairs), list(cases) or None
    try:
        if apply:
            if ids is None:
                report = revisions.migration_dry_run(CLI_ADMIN, key, from_version, to_version, mapping)
                ids = [c["instance_id"] for c in report["cases"] if c["can_migrate"]]
            result = (revisions.migrate_cases(CLI_ADMIN, key, from_version, to_version, ids, mapping) if ids
                      else {"cases": []})
        else:
            result = revisions.migration_dry_run(CLI_ADMIN, key, from_version, to_version, mapping, ids)
    except EngineError as exc:
        _fail(exc)
    for c in result["cases"]:
        ok = c.get("migrated", c.get("can_migrate"))
        verb = ("已迁移" if ok else "未迁移") if apply else ("可迁移" if ok else "不能迁移")
        extra = f" 迁移记录 {c['migration_id']}" if c.get("migration_id") else ""
        click.echo(f"案件 {c['instance_id']} {c.get('title', '')}: {verb}{extra} {'；'.join(c.get('reasons', []))}")
    click.echo(f"共 {len(result['cases'])} 件")


@processes_cli.command("revert")
@click.argument("migration_id", type=int)
def revert_command(migration_id: int) -> None:
    """Put a migrated case back on its previous version (if it has not changed since)."""
    try:
        result = revisions.revert_migration(CLI_ADMIN, migration_id)
    except EngineError as exc:
        _fail(exc)
    click.echo(f"案件 {result['instance_id']} 已回到 v{result['version']}")
