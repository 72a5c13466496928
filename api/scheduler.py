"""Runs the engine's timer loop in a daemon thread of the server process (embedded default)."""

from __future__ import annotations

import threading

from flask import Flask

from engine import cases


def start_in_background(app: Flask) -> threading.Event:
    """Start the loop; it leases the cases it fires, so other servers' loops may run too."""
    stop = threading.Event()
    thread = threading.Thread(target=cases.timer_loop, name="timer-scheduler", daemon=True,
                              args=(app.config["SCHEDULER_INTERVAL"], stop, app.app_context,
                                    app.config["TIMER_BATCH"], app.config["TIMER_LEASE_SECONDS"]))
    thread.start()
    return stop
