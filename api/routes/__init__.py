"""HTTP routes, one blueprint per resource."""

from . import auth, catalog, health, instances, notices, revisions, tasks

BLUEPRINTS = (auth.blp, catalog.blp, instances.blp, tasks.blp, notices.blp, revisions.blp, health.blp)
