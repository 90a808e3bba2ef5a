"""Core services: the one way to change data, called by the REST API, the web shell,
plugins, bulk change and jobs alike."""
