"""The timer scheduler: finds due instances by the indexed due time and fires them.

SpiffWorkflow never fires a timer by itself. The same loop runs inside the server process
(embedded default) or as its own process (`flask timers run`) in production; several loops
may run at once, optimistic locking makes each firing happen once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from .clock import now_utc
from .db import db
from .instances import due_instance_ids, fire_timers

log = logging.getLogger(__name__)


def run_due(batch: int = 100) -> int:
    """One pass: fire every instance due now; returns the number of timers fired."""
    fired = 0
    for instance_id in due_instance_ids(now_utc(), batch):
        fired += fire_timers(instance_id)
    db.session.remove()
    return fired


def loop(interval: float, stop: threading.Event, context: Callable[[], object]) -> None:
    """Poll every `interval` seconds until `stop` is set; `context` gives an app context."""
    while not stop.is_set():
        try:
            with context():
                count = run_due()
            if count:
                log.info("fired %d timer(s)", count)
        except Exception:  # a bad instance must not kill the scheduler
            log.exception("timer pass failed")
        stop.wait(interval)
