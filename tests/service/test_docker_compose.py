"""docker-compose.yml, checked by structure (no Docker engine on the CI machine): PostgreSQL,
a migrate job that runs first, web replicas and timer replicas of the repository's image, each
with a command the image's entrypoint knows, and only the timer replicas scheduling."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.no_database


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text("utf-8"))["services"]


def entrypoint_commands() -> set[str]:
    script = (ROOT / "docker" / "entrypoint.sh").read_text("utf-8")
    return set(re.findall(r"^\s{4}(\w+)\)\s*$", script, flags=re.MULTILINE))


def test_the_layout_is_database_migrate_web_and_timers(services):
    assert set(services) == {"db", "migrate", "web", "timers"}
    assert services["db"]["image"].startswith("postgres:") and "healthcheck" in services["db"]
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    for name in ("web", "timers"):
        assert services[name]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
        assert services[name]["deploy"]["replicas"] >= 2


def test_every_app_service_runs_the_repository_image_with_a_known_command(services):
    known = entrypoint_commands()
    assert {"serve", "migrate", "timers"} <= known
    assert (ROOT / "Dockerfile").is_file()
    for name in ("migrate", "web", "timers"):
        service = services[name]
        assert service["build"] == "." and service["command"][0] in known, name
        assert service["environment"]["DATABASE_URL"].startswith("postgresql://")
        assert "@db:5432/" in service["environment"]["DATABASE_URL"]
    urls = {services[n]["environment"]["DATABASE_URL"] for n in ("migrate", "web", "timers")}
    assert len(urls) == 1  # one database for all


def test_only_the_timer_replicas_schedule_and_only_the_job_migrates(services):
    web, timers = services["web"], services["timers"]
    assert web["command"] == ["serve"] and timers["command"] == ["timers"]
    assert web["environment"]["SCHEDULER_ENABLED"] == "0"
    assert web["environment"]["MIGRATE_ON_START"] == "0"
    assert services["migrate"]["command"] == ["migrate"] and services["migrate"]["restart"] == "no"
    # the web replicas share the attachment folder (ATTACHMENT_STORE's default under /app/instance)
    assert "instance:/app/instance" in web["volumes"]
