"""HTTP routes, one blueprint per resource."""

from . import auth, catalog, health, instances, tasks

BLUEPRINTS = (auth.blp, catalog.blp, instances.blp, tasks.blp, health.blp)
