"""Saved filters, the issue navigator, search over REST and filter subscriptions.

Registered as the essential plugin ``filters`` (``core.filters.plugin``): its
tables, blueprints and periodic task join the app through the same hooks any
plugin uses, and it is on for every project.
"""
