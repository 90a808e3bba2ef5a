"""Vehicle routing with time windows for installer days (see ``plugins.bookit.solver``)."""
