"""Pre-deployment simulation of a bundle; the entry point is `engine.simulate.simulate_bundle`."""
