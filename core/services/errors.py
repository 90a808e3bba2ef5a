"""Errors every service raises; the API turns them into Jira-style JSON and the web
shell into a message on the page."""

from __future__ import annotations


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str | None = None, errors: dict[str, str] | None = None):
        self.messages = [message] if message else []
        self.errors = errors or {}
        super().__init__(message or "; ".join(f"{k}: {v}" for k, v in self.errors.items()))

    def to_json(self) -> dict[str, object]:
        return {"errorMessages": self.messages, "errors": self.errors}


class InvalidInput(ServiceError):
    status = 400


class NotAuthenticated(ServiceError):
    status = 401


class Forbidden(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    status = 409


class TooLarge(ServiceError):
    status = 413
