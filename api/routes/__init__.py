"""HTTP routes, one blueprint per resource."""

from . import auth, catalog, health, instances, notices, tasks

BLUEPRINTS = (auth.blp, catalog.blp, instances.blp, tasks.blp, notices.blp, health.blp)
