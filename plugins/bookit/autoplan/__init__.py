"""Auto-planning: route-optimised installer weeks proposed for a planner to accept,
booking slots held while the customer answers, and a customer's own link to confirm,
move or ask to be called (issue 17). Built on the calendar's availability and travel
model and on ``plugins.bookit.solver``."""
