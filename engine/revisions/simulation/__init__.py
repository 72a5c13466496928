"""Pre-deployment simulation of a bundle; the entry point is `engine.revisions.simulate.simulate_bundle`."""
