"""`flask` administration commands."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from engine import audit, cases, revisions
from engine.db import unit_of_work
from engine.errors import BundleInvalid, EngineError
from engine.regulations import coverage_of, discover, from_folders
from engine.revisions import compile_bundle, simulate_bundle
from engine.users import create_user

from . import setup


def _bundle_dirs(path: str) -> tuple[Path, Path]:
    """A jurisdiction folder and its forms: `<root>/bpmn/<id>` pairs with `<root>/forms/<id>`
    (a `forms/` folder inside the bundle folder also works)."""
    bpmn_dir = Path(path).resolve()
    for forms_dir in (bpmn_dir / "forms", bpmn_dir.parent.parent / "forms" / bpmn_dir.name):
        if forms_dir.is_dir():
            return bpmn_dir, forms_dir
    return bpmn_dir, Path(current_app.config["FORMS_ROOT"]) / bpmn_dir.name


def _print_problems(exc: BundleInvalid) -> None:
    click.echo(f"✗ {exc.detail}", err=True)
    for p in exc.errors:
        where = ":".join(str(x) for x in (p["file"], p.get("line")) if x)
        click.echo(f"  {where} [{p.get('element') or '-'}] {p['message']}", err=True)


bundles_cli = AppGroup("bundles", help="Regulation bundles: validate and deploy.")


@bundles_cli.command("validate")
@click.argument("path")
def validate_bundle(path: str) -> None:
    """Validate one jurisdiction folder (bpmn/<id>) without deploying it."""
    try:
        compiled = compile_bundle(from_folders(*_bundle_dirs(path)))
    except BundleInvalid as exc:
        _print_problems(exc)
        sys.exit(1)
    click.echo("✓ " + ", ".join(p.key for p in compiled))


@bundles_cli.command("deploy")
@click.argument("path", required=False)
@click.option("--effective-from", type=click.DateTime(["%Y-%m-%d"]), help="生效日期（默认取清单）")
@click.option("--effective-until", type=click.DateTime(["%Y-%m-%d"]), help="失效日期（含当日）")
@click.option("--force", is_flag=True, help="模拟运行有问题时仍然部署")
@click.option("--no-simulate", is_flag=True, help="不做模拟运行")
@click.option("--dry-run", is_flag=True, help="只校验和模拟运行，不部署")
def deploy_bundle(path: str | None, effective_from, effective_until, force: bool, no_simulate: bool,
                  dry_run: bool) -> None:
    """Deploy one jurisdiction folder (validated and simulated first), or every bundled one
    when no path is given."""
    if path:
        options = revisions.DeployOptions(
            effective_from=effective_from and effective_from.date(),
            effective_until=effective_until and effective_until.date(),
            simulate=not no_simulate, force=force, dry_run=dry_run)
        try:
            bundle = from_folders(*_bundle_dirs(path))
            results = revisions.FolderResults([revisions.deploy_bundle(bundle, "cli", options)])
        except BundleInvalid as exc:
            results = revisions.FolderResults(refused={Path(path).name: exc})
    else:
        results = setup.deploy_bundled(current_app, "cli")
    for r in results.deployed:
        _print_deployment(r)
    for exc in results.refused.values():
        _print_problems(exc)
    sys.exit(1 if results.refused else 0)


def _print_deployment(r: revisions.DeployResult) -> None:
    made = ", ".join(f"{k} v{v}" for k, v in r.created) or ("试运行，未部署" if r.dry_run else "无变化")
    until = f" 至 {r.effective_until}" if r.effective_until else ""
    click.echo(f"{r.jurisdiction}: {made} ({r.bundle_hash[:12]}) 生效 {r.effective_from}{until}")
    if r.simulation is not None:
        click.echo(simulation_text(r.simulation))


def simulation_text(report: dict) -> str:
    lines = [f"模拟运行：{'通过' if report['ok'] else '发现问题'}（{report.get('duration_s', 0):.1f} 秒）"]
    for key, proc in report.get("processes", {}).items():
        lines.append(f"  {key}: {proc.get('states')} 个状态，{proc.get('paths_completed')} 条路径走完，"
                     f"覆盖 {proc.get('visited')}/{proc.get('elements')} 个元素"
                     + ("" if proc.get("complete", True) else "（达到探索上限）"))
    for f in report.get("findings", []):
        lines.append(f"  [{f.get('severity')}] {f.get('process')}#{f.get('element')} {f.get('name') or ''} "
                     f"{f['message']}")
    return "\n".join(lines)


@bundles_cli.command("simulate")
@click.argument("path")
def simulate_bundle_command(path: str) -> None:
    """Explore every path of every process of a folder; exit 1 on error findings."""
    try:
        report = simulate_bundle(from_folders(*_bundle_dirs(path)))
    except BundleInvalid as exc:
        _print_problems(exc)
        sys.exit(1)
    click.echo(simulation_text(report))
    sys.exit(0 if report["ok"] else 1)


users_cli = AppGroup("users", help="Users and roles.")


@users_cli.command("create")
@click.argument("username")
@click.option("--name", "display_name", required=True)
@click.option("--unit", default=None)
@click.option("--role", "roles", multiple=True, help="jurisdiction:role, repeatable")
@click.option("--admin", is_flag=True)
@click.password_option()
def create(username: str, display_name: str, unit: str | None, roles: tuple[str, ...], admin: bool,
           password: str) -> None:
    """Create a user with roles given as jurisdiction:role."""
    pairs = [tuple(r.split(":", 1)) for r in roles]
    if any(len(p) != 2 for p in pairs):
        raise click.BadParameter("roles are jurisdiction:role")
    try:
        with unit_of_work():
            create_user(username, password, display_name, unit, pairs, is_admin=admin)
    except EngineError as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(f"created {username}")


timers_cli = AppGroup("timers", help="The timer scheduler.")


@timers_cli.command("run")
@click.option("--once", is_flag=True, help="One pass, then exit.")
@click.option("--interval", type=float, default=None)
def run_timers(once: bool, interval: float | None) -> None:
    """Fire due timers; runs until interrupted unless --once. Any number of these may run
    against one database: each leases the cases it fires (docs/operations.md, scale-out)."""
    app = current_app._get_current_object()
    batch, lease = app.config["TIMER_BATCH"], app.config["TIMER_LEASE_SECONDS"]
    if once:
        click.echo(f"fired {cases.fire_due_timers(batch, lease)} timer(s)")
        return
    stop = threading.Event()
    try:
        cases.timer_loop(interval or app.config["SCHEDULER_INTERVAL"], stop, app.app_context, batch, lease)
    except KeyboardInterrupt:
        stop.set()


audit_cli = AppGroup("audit", help="The audit trail.")


@audit_cli.command("verify")
def verify() -> None:
    """Recompute the hash chain; exit 1 if any entry was altered or removed."""
    report = audit.verify_chain()
    click.echo(json.dumps(report.__dict__, ensure_ascii=False))
    sys.exit(0 if report.ok else 1)


@click.command("setup")
def setup_command() -> None:
    """Upgrade the schema, deploy the bundled regulations and seed demo users (idempotent)."""
    setup.bootstrap(current_app._get_current_object())
    click.echo("ready")


regulations_cli = AppGroup("regulations", help="Regulations and the diagrams that implement them.")


@regulations_cli.command("coverage")
@click.argument("paths", nargs=-1)
def coverage_command(paths: tuple[str, ...]) -> None:
    """Every article of the text with the elements citing it or the manifest's note on it
    (no process effect, 解释与取舍); exit 1 if any has neither."""
    folders = [_bundle_dirs(p) for p in paths] or discover(
        Path(current_app.config["BUNDLE_ROOT"]), Path(current_app.config["FORMS_ROOT"]))
    missing = 0
    for bpmn_dir, forms_dir in folders:
        report = coverage_of(from_folders(bpmn_dir, forms_dir))
        click.echo(f"== {report.jurisdiction}")
        for article, cites in report.articles.items():
            where = "、".join(f"{c.name or c.element}（{c.file}#{c.element}）" for c in cites[:6])
            more = f" 等 {len(cites)} 处" if len(cites) > 6 else ""
            said = report.notes.get(article) or ("见其各项" if report.covered(article) else "无元素引用，也无说明")
            click.echo(f"  {'✓' if report.covered(article) else '✗'} {article}: {where + more if cites else said}")
        missing += len(report.uncited)
        if report.uncited:
            click.echo(f"  未引用：{'、'.join(report.uncited)}")
    sys.exit(1 if missing else 0)


def register(app: Flask) -> None:
    from .attachments_cli import attachments_cli
    from .cases_cli import cases_cli
    from .revisions_cli import processes_cli

    for group in (bundles_cli, users_cli, timers_cli, audit_cli, regulations_cli, processes_cli, attachments_cli,
                  cases_cli):
        app.cli.add_command(group)
    app.cli.add_command(setup_command)
