"""Runs the engine's timer loop in a daemon thread of the server process (embedded default)."""

from __future__ import annotations

import threading

from flask import Flask

from engine import timers


def start_in_background(app: Flask) -> threading.Event:
    stop = threading.Event()
    thread = threading.Thread(target=timers.loop, name="timer-scheduler", daemon=True,
                              args=(app.config["SCHEDULER_INTERVAL"], stop, app.app_context))
    thread.start()
    return stop
