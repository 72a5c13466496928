"""HTTP routes, one blueprint per resource."""

from . import attachments, auth, catalog, drafts, health, instances, notices, revisions, tasks, users, words

BLUEPRINTS = (auth.blp, catalog.blp, instances.blp, tasks.blp, notices.blp, revisions.blp, attachments.blp, drafts.blp,
              health.blp, users.blp, words.blp)
