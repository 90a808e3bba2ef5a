"""Bulk tests that send SMS use the SMS plugin's loopback Link stand-in fixture."""

from plugins.sms.tests.conftest import stub  # noqa: F401 - a fixture, used by name
