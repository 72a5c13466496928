# The service for production: gunicorn, PostgreSQL driver, bundled regulations, migrations.
#   docker build -t govit-bpm .
#   docker run -e DATABASE_URL=postgresql://user:pw@db:5432/govit -p 8000:8000 govit-bpm
# See docs/operations.md (environment variables, the separate timer process, backups).
# The browser app, built from the committed lock (npm ci) in its own stage; only web/dist is kept.
FROM node:20-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
# the product's own bpmnlint rules, a local package of the lock (file:bpmnlint-plugin-govit)
COPY web/bpmnlint-plugin-govit/ bpmnlint-plugin-govit/
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FLASK_APP=api \
    AUTO_SETUP=0 \
    DEMO_USERS=0 \
    SCHEDULER_ENABLED=1 \
    WEB_CONCURRENCY=2

WORKDIR /app

# Dependencies first (their own layer, rebuilt only when pyproject.toml changes).
COPY pyproject.toml ./
RUN python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
print('\n'.join(p['dependencies'] + p['optional-dependencies']['postgres']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The application. It runs from /app: api/config.py and api/setup.py find bpmn/, forms/ and
# migrations/ next to the packages, so the project is installed in place (editable).
COPY engine/ engine/
COPY api/ api/
COPY migrations/ migrations/
COPY bpmn/ bpmn/
COPY forms/ forms/
COPY --from=web /web/dist web/dist/
COPY docker/entrypoint.sh /usr/local/bin/govit-entrypoint
RUN pip install --no-deps -e . \
    && python -m compileall -q engine api \
    && chmod 0755 /usr/local/bin/govit-entrypoint \
    && groupadd --system --gid 10001 govit \
    && useradd --system --uid 10001 --gid govit --create-home --home-dir /home/govit --shell /usr/sbin/nologin govit \
    && mkdir -p /app/instance \
    && chown govit:govit /app/instance

# /app/instance holds the SQLite database when DATABASE_URL is not set (mount a volume there).
USER govit:govit
EXPOSE 8000

# GET /healthz on the serving container; a `timers` container is healthy while it runs.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["govit-entrypoint", "healthcheck"]

ENTRYPOINT ["govit-entrypoint"]
CMD ["serve"]
