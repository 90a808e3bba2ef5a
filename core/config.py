"""The per-instance config file: one YAML per installation, validated with marshmallow.

Secrets never live in the YAML: a setting ending in ``_env`` names the environment
variable that holds the secret, and ``AMSFLOW_DATABASE_URL`` / ``AMSFLOW_REDIS_URL``
override the URLs so production passwords stay out of files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from .yamlsource import ConfigError, first_error, line_of, load_yaml

FIELD_TYPES = ("text", "textarea", "number", "duration", "datetime", "date", "select",
               "user", "flag", "position", "phone")
ROLES = ("Administrator", "Planlegger", "Montør")
PERMISSIONS = ("browse", "create", "edit", "transition", "assign", "comment", "attach",
               "delete", "bulk_change", "administer", "link", "watch")
DEFAULT_PERMISSIONS = {
    "browse": ["Administrator", "Planlegger", "Montør"],
    "create": ["Administrator", "Planlegger"],
    "edit": ["Administrator", "Planlegger"],
    "transition": ["Administrator", "Planlegger", "Montør"],
    "assign": ["Administrator", "Planlegger"],
    "comment": ["Administrator", "Planlegger", "Montør"],
    "attach": ["Administrator", "Planlegger", "Montør"],
    "delete": ["Administrator"],
    "bulk_change": ["Administrator", "Planlegger"],
    "administer": ["Administrator"],
    "link": ["Administrator", "Planlegger"],
    "watch": ["Administrator", "Planlegger", "Montør"],
}


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class FieldSchema(_Strict):
    id = fields.String(required=True, validate=validate.Regexp(r"^customfield_\d+$"))
    key = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]*$"))
    name = fields.String(required=True)
    name_en = fields.String(load_default=None)
    type = fields.String(required=True, validate=validate.OneOf(FIELD_TYPES))
    options = fields.List(fields.String(), load_default=list)
    kis = fields.Boolean(load_default=False)
    readonly = fields.Boolean(load_default=False)
    mobile = fields.Boolean(load_default=True)
    pattern = fields.String(load_default=None)
    description = fields.String(load_default="")


class IssueTypeSchema(_Strict):
    name = fields.String(required=True)
    description = fields.String(load_default="")


class ResolutionSchema(_Strict):
    name = fields.String(required=True)
    description = fields.String(load_default="")


class LinkTypeSchema(_Strict):
    name = fields.String(required=True)
    inward = fields.String(required=True)
    outward = fields.String(required=True)


class ProjectSchema(_Strict):
    key = fields.String(required=True, validate=validate.Regexp(r"^[A-Z][A-Z0-9]{1,9}$"))
    name = fields.String(required=True)
    description = fields.String(load_default="")
    workflow_scheme = fields.Dict(keys=fields.String(), values=fields.String(),
                                  load_default=lambda: {"default": "ams"})
    issue_types = fields.List(fields.String(), load_default=None)
    # plugin name -> its settings (validated later by the plugin's own schema)
    plugins = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True),
                          load_default=dict)


class JobsSchema(_Strict):
    bulk_limit = fields.Integer(load_default=10000, validate=validate.Range(min=1))
    bulk_chunk = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    bulk_pause_ratio = fields.Float(load_default=0.2, validate=validate.Range(min=0, max=10))
    # Runner jobs per bulk task (PostgreSQL with rq workers; one otherwise).
    bulk_workers = fields.Integer(load_default=1, validate=validate.Range(min=1, max=32))
    # CPU nice value of a runner's thread (Linux; 0: as the worker).
    bulk_nice = fields.Integer(load_default=10, validate=validate.Range(min=0, max=19))
    queue = fields.String(load_default="amsflow")
    # A bulk task that changed at least this many orders analyses the tables (core.analyze).
    analyze_after = fields.Integer(load_default=1000, validate=validate.Range(min=1))


class LimitsSchema(_Strict):
    """What one request may cost (``core.jql.limits``); over a limit is a clear 400."""

    jql_max_length = fields.Integer(load_default=10_000, validate=validate.Range(min=10))
    jql_max_terms = fields.Integer(load_default=100, validate=validate.Range(min=1))
    jql_max_depth = fields.Integer(load_default=40, validate=validate.Range(min=2, max=200))
    jql_max_list = fields.Integer(load_default=1_000, validate=validate.Range(min=1))
    jql_max_words = fields.Integer(load_default=40, validate=validate.Range(min=1))
    search_timeout_seconds = fields.Float(load_default=4.0,
                                          validate=validate.Range(min=0.01, max=600))


class SecuritySchema(_Strict):
    """Cookies, the public address, login throttling (``core.throttle``) and the CSP."""

    # The address clients use (``https://amsflow.example.no``): API ``self`` links and
    # mail links use it, never the request's Host header. Empty: the request's own.
    base_url = fields.String(load_default="")
    secure_cookies = fields.Boolean(load_default=False)
    # Failed logins before the delays start, per account and per client address.
    throttle_free_failures = fields.Integer(load_default=3, validate=validate.Range(min=0))
    throttle_first_delay_seconds = fields.Float(load_default=1.0,
                                                validate=validate.Range(min=0.01))
    throttle_max_delay_seconds = fields.Float(load_default=300.0,
                                              validate=validate.Range(min=0.01))
    throttle_window_minutes = fields.Float(load_default=60.0, validate=validate.Range(min=1))


class SmtpSchema(_Strict):
    host = fields.String(required=True)
    port = fields.Integer(load_default=25)
    sender = fields.Email(load_default="amsflow@localhost")
    username = fields.String(load_default=None)
    password_env = fields.String(load_default=None)
    starttls = fields.Boolean(load_default=False)
    timeout = fields.Float(load_default=10.0)


class ConfigSchema(_Strict):
    instance_name = fields.String(load_default="amsflow")
    database_url = fields.String(load_default="sqlite:///var/amsflow.sqlite")
    redis_url = fields.String(load_default=None, allow_none=True)
    secret_key_env = fields.String(load_default="AMSFLOW_SECRET_KEY")
    data_dir = fields.String(load_default="var")
    default_locale = fields.String(load_default="nb", validate=validate.OneOf(["nb", "en"]))
    timezone = fields.String(load_default="Europe/Oslo")
    max_attachment_mb = fields.Float(load_default=10.0, validate=validate.Range(min=0.001))
    status_colours = fields.Dict(keys=fields.String(), values=fields.String(
        validate=validate.Regexp(r"^#[0-9a-fA-F]{6}$")), load_default=dict)
    resolutions = fields.List(fields.Nested(ResolutionSchema), required=True)
    issue_types = fields.List(fields.Nested(IssueTypeSchema), required=True)
    fields_ = fields.List(fields.Nested(FieldSchema), data_key="fields", load_default=list)
    link_types = fields.List(fields.Nested(LinkTypeSchema), load_default=lambda: [
        {"name": "Relates", "inward": "relates to", "outward": "relates to"}])
    workflows = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    permissions = fields.Dict(keys=fields.String(validate=validate.OneOf(PERMISSIONS)),
                              values=fields.List(fields.String()), load_default=dict)
    browse_own_only = fields.List(fields.String(), load_default=lambda: ["Montør"])
    admin_group = fields.String(load_default="amsflow-admins")
    smtp = fields.Nested(SmtpSchema, load_default=None, allow_none=True)
    jobs = fields.Nested(JobsSchema, load_default=lambda: JobsSchema().load({}))
    limits = fields.Nested(LimitsSchema, load_default=lambda: LimitsSchema().load({}))
    security = fields.Nested(SecuritySchema, load_default=lambda: SecuritySchema().load({}))
    projects = fields.List(fields.Nested(ProjectSchema), required=True,
                           validate=validate.Length(min=1))
    plugins = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True),
                          load_default=dict)

    class Meta:
        unknown = RAISE


@dataclass
class Config:
    """A loaded, validated instance config. ``raw`` keeps line numbers for errors."""

    path: Path | None
    data: dict[str, Any]
    raw: Any = None
    overrides: dict[str, Any] = field(default_factory=dict)
    base: Path | None = None  # where relative paths start, when not the file's folder

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    @property
    def base_dir(self) -> Path:
        if self.base is not None:
            return self.base
        return self.path.parent if self.path else Path.cwd()

    def resolve_path(self, value: str) -> Path:
        """A path from config: absolute as is, else relative to the config file."""
        p = Path(value)
        return p if p.is_absolute() else (self.base_dir / p).resolve()

    def line(self, *path: Any) -> int | None:
        return line_of(self.raw, path)

    def error(self, message: str, *path: Any) -> ConfigError:
        return ConfigError(message, self.path, self.line(*path))

    def secret(self, env_name: str | None) -> str | None:
        return os.environ.get(env_name) if env_name else None


def plugin_block(config: Config, name: str, schema: Schema) -> dict[str, Any]:
    """A plugin's instance-wide block (``plugins.NAME`` at the top of the config)
    loaded by ``schema``; a bad value stops start-up with the file, line and path."""
    raw = (config.get("plugins") or {}).get(name) or {}
    try:
        return schema.load(raw)
    except ValidationError as exc:
        where, message = first_error(exc.messages)
        path = ("plugins", name, *where)
        raise ConfigError(f"{'.'.join(map(str, path))}: {message}", config.path,
                          config.line(*path)) from exc


def parse_config(raw: Any, path: Path | None = None, **overrides: Any) -> Config:
    """Validate raw config data (from YAML or a test's dict)."""
    if not isinstance(raw, dict):
        raise ConfigError("the config must be a mapping", path, 1)
    try:
        data = ConfigSchema().load(raw)
    except ValidationError as exc:
        where, message = first_error(exc.messages)
        keys = tuple("fields" if k == "fields_" else k for k in where)
        raise ConfigError(f"{'.'.join(map(str, keys))}: {message}", path,
                          line_of(raw, keys)) from exc
    data["fields"] = data.pop("fields_")
    env_db = os.environ.get("AMSFLOW_DATABASE_URL")
    env_redis = os.environ.get("AMSFLOW_REDIS_URL")
    if env_db:
        data["database_url"] = env_db
    if env_redis is not None:
        data["redis_url"] = env_redis or None
    data.update(overrides)
    cfg = Config(path=path, data=data, raw=raw, overrides=overrides)
    _check_unique(cfg)
    return cfg


def load_config(path: str | Path, **overrides: Any) -> Config:
    """Load and validate a config file; every error names the file and line."""
    path = Path(path).resolve()
    return parse_config(load_yaml(path), path, **overrides)


def _check_unique(cfg: Config) -> None:
    for section, attr in (("fields", "id"), ("fields", "key"), ("fields", "name"),
                          ("projects", "key"), ("resolutions", "name"),
                          ("issue_types", "name")):
        seen: set[str] = set()
        for i, item in enumerate(cfg[section]):
            value = item[attr].casefold() if isinstance(item[attr], str) else item[attr]
            if value in seen:
                raise cfg.error(f"duplicate {section[:-1]} {attr} '{item[attr]}'", section, i)
            seen.add(value)
    for role_list_key, roles in cfg["permissions"].items():
        for role in roles:
            if role not in ROLES and not role.startswith("group:"):
                raise cfg.error(f"unknown role '{role}' (roles: {', '.join(ROLES)}; "
                                "or group:NAME)", "permissions", role_list_key)


