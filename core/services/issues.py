"""Create, read, edit and delete work orders."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import ORMExecuteState, Session, defaultload, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from .. import permissions as perms
from ..fields import FieldDef, FieldValueError
from ..i18n import _
from ..models import FieldValue, Issue, Project, User
from ..notify import remember_watched, watched_column
from .comments import MAX_BODY
from .errors import InvalidInput, NotFound
from .history import HistoryItem, record
from .ids import as_id

if TYPE_CHECKING:
    from ..host import Amsflow

SYSTEM_EDITABLE = ("summary", "description", "assignee", "reporter")
# The groups of an order's assignee and reporter load only when something asks
# (permission checks use the caller's). Field values stay a second (selectin) query:
# joined in, they make PostgreSQL plan an 8-table join, 2 ms a time until prepared.
ONE_ISSUE = (defaultload(Issue.assignee).lazyload(User.groups),
             defaultload(Issue.reporter).lazyload(User.groups))


def values_of(host: Amsflow, issue: Issue) -> dict[str, Any]:
    """Custom field values of an issue by field key (absent fields are left out)."""
    out = {}
    for row in issue.values:
        fdef = host.fields.get(row.field_id)
        if fdef is not None:
            out[fdef.key] = fdef.from_row(row)
    return out


def load_values(session: Session, issues: Iterable[Issue]) -> None:
    """Load the field values of those ``issues`` that have not loaded them, in one query."""
    waiting = {i.id: i for i in issues if "values" not in sa_inspect(i).dict}
    if not waiting:
        return
    found: dict[int, list[FieldValue]] = {issue_id: [] for issue_id in waiting}
    with session.no_autoflush:
        for row in session.scalars(select(FieldValue).where(
                FieldValue.issue_id.in_(list(waiting)))):
            found[row.issue_id].append(row)
    for issue_id, rows in found.items():
        set_committed_value(waiting[issue_id], "values", rows)


@contextmanager
def values_together(session: Session, issues: list[Issue]) -> Iterator[None]:
    """Issues loaded without their field values (``lazyload``) get them for all of
    ``issues`` in one query the first time any of them reads its own: a bulk chunk of
    plain transitions reads none, a chunk of bookings reads every order's."""
    group = {id(i) for i in issues}

    def together(state: ORMExecuteState) -> None:
        parent = state.lazy_loaded_from
        if state.is_relationship_load and parent is not None and id(parent.obj()) in group \
                and state.bind_mapper is not None and state.bind_mapper.class_ is FieldValue:
            load_values(session, [i for i in issues if i is not parent.obj()])

    event.listen(session, "do_orm_execute", together)
    try:
        yield
    finally:
        event.remove(session, "do_orm_execute", together)


def get_value(host: Amsflow, issue: Issue, name: str) -> Any:
    fdef = host.fields[name]
    for row in issue.values:
        if row.field_id == fdef.id:
            return fdef.from_row(row)
    return None


def _set_custom(issue: Issue, fdef: FieldDef, value: Any) -> tuple[Any, Any]:
    """Store a parsed value; returns (old, new) for history."""
    row = next((r for r in issue.values if r.field_id == fdef.id), None)
    old = fdef.from_row(row)
    if value is None:
        if row is not None:
            issue.values.remove(row)
    else:
        if row is None:
            row = FieldValue(field_id=fdef.id)
            issue.values.append(row)
        for col, v in fdef.to_columns(value).items():
            setattr(row, col, v)
    return old, value


def find_user(session: Session, name: str | None) -> User | None:
    if name in (None, ""):
        return None
    user = session.scalar(select(User).where(User.username == name))
    if user is None or not user.active:
        raise InvalidInput(errors={"assignee": _("Brukeren '%(name)s' finnes ikke.", name=name)})
    return user


def get_issue(host: Amsflow, session: Session, user: User | None, key_or_id: str | int,
              permission: str = "browse", *, with_values: bool = True) -> Issue:
    """An issue the user may see; otherwise 404 (never say it exists).

    ``with_values=False`` leaves the field values to load on first use: a transition
    that reads no field saves the query.
    """
    text = str(key_or_id).strip()
    roles = perms.roles_column(user, Issue.project_id)
    options = ONE_ISSUE if with_values else (*ONE_ISSUE, lazyload(Issue.values))
    columns = [Issue, watched_column(Issue.id)] + ([] if roles is None else [roles])
    stmt = select(*columns).options(*options).where(
        Issue.id == as_id(text) if text.isascii() and text.isdigit() else Issue.key == text.upper())
    row = session.execute(stmt).unique().one_or_none()
    issue = row[0] if row is not None else None
    if issue is not None:
        remember_watched(session, issue.id, row[1])
        if roles is not None:
            perms.remember_roles(session, user, issue.project_id, row[2])
    if issue is None or not perms.can_browse(host, session, user, issue):
        raise NotFound(_("Saken finnes ikke, eller du har ikke tilgang til den."))
    if permission != "browse":
        perms.require(host, session, user, permission, issue)
    return issue


def set_fields(host: Amsflow, session: Session, user: User | None, issue: Issue,
               changes: dict[str, Any], *, system: bool = True,
               when: Any = None) -> list[HistoryItem]:
    """Set fields with their history, and send ``issue_updated`` after commit; no flush
    (the caller's next one writes them). For plugins and post-functions
    (``ctx.set_fields``); people's edits go through ``edit_issue``. Inside a
    transition the history joins the transition's change group."""
    history = apply_fields(host, session, user, issue, changes, system=system)
    history = [h for h in history if (h[1], h[2]) != (h[3], h[4])]
    if history:
        issue.updated = when if when is not None else host.now()
        record(session, issue, user, history, issue.updated)
        changed = {h[0]: (h[2], h[4]) for h in history}
        host.db.after_commit(session, lambda: host.plugins.issue_updated(
            host, issue, user, changed))
    return history


def apply_fields(host: Amsflow, session: Session, user: User | None, issue: Issue,
                 changes: dict[str, Any], *, system: bool = False,
                 allowed: set[str] | None = None) -> list[HistoryItem]:
    """Parse and set fields; every error is collected and raised together.

    ``system`` lets Quant and the demo loader write KIS and read-only fields and
    keep invalid data (such as a wrong phone number) as it came.
    """
    errors: dict[str, str] = {}
    history: list[HistoryItem] = []
    for name, raw in changes.items():
        if allowed is not None and name not in allowed:
            fdef = host.fields.get(name)
            errors[fdef.id if fdef else name] = (
                _("Feltet '%(name)s' kan ikke settes her. Det er ikke på skjermbildet.",
                  name=name))
            continue
        try:
            history.extend(_apply_one(host, session, user, issue, name, raw, system))
        except FieldValueError as exc:
            fdef = host.fields.get(name)
            errors[fdef.id if fdef else name] = str(exc)
        except InvalidInput as exc:
            errors.update(exc.errors or {name: str(exc)})
    if errors:
        raise InvalidInput(errors=errors)
    return history


def _apply_one(host: Amsflow, session: Session, user: User | None, issue: Issue,
               name: str, raw: Any, system: bool) -> list[HistoryItem]:
    if name in ("summary", "description"):
        text = "" if raw is None else str(raw).strip() if not isinstance(raw, dict) else None
        if text is None:
            raise InvalidInput(errors={name: _("Forventet tekst.")})
        if name == "summary" and not text:
            raise InvalidInput(errors={name: _("Emne må fylles ut.")})
        if name == "summary" and len(text) > 255:
            raise InvalidInput(errors={name: _("Emne kan ha høyst 255 tegn.")})
        if name == "description" and len(text) > MAX_BODY:  # the same bound as a comment
            raise InvalidInput(errors={name: _("Beskrivelsen kan ha høyst %(max)s tegn.",
                                               max=MAX_BODY)})
        old = getattr(issue, name)
        setattr(issue, name, text)
        return [(name, None, old, None, text)]
    if name in ("assignee", "reporter"):
        if isinstance(raw, dict):
            raw = raw.get("name") or raw.get("key") or raw.get("accountId")
        new_user = find_user(session, raw)
        if new_user is not None and name == "assignee" and not system:
            if not perms.allowed(host, session, new_user, "browse", issue.project_id):
                raise InvalidInput(errors={"assignee": _(
                    "Brukeren '%(name)s' kan ikke tildeles saker i dette prosjektet.",
                    name=raw)})
        old = getattr(issue, name)
        setattr(issue, name, new_user)
        return [(name, old.username if old else None, old.display_name if old else None,
                 new_user.username if new_user else None,
                 new_user.display_name if new_user else None)]
    fdef = host.fields.get(name)
    if fdef is None:
        raise InvalidInput(errors={name: _("Feltet '%(name)s' finnes ikke.", name=name)})
    if not system and (fdef.kis or fdef.readonly):
        raise InvalidInput(errors={fdef.id: _("Feltet «%(name)s» oppdateres bare av "
                                              "fagsystemet og kan ikke endres her.",
                                              name=fdef.name)})
    old, new = _set_custom(issue, fdef, fdef.parse(raw, strict=not system))
    (ov, os_), (nv, ns) = fdef.to_history(old), fdef.to_history(new)
    return [(fdef.id, ov, os_, nv, ns)]


def create_issue(host: Amsflow, session: Session, user: User | None, project_key: str,
                 issue_type: str, summary: str, fields: dict[str, Any] | None = None, *,
                 description: str = "", system: bool = False) -> Issue:
    """Create an order in its workflow's initial status with a new, never-reused key."""
    project = session.scalar(select(Project).where(Project.key == str(project_key).upper()))
    if project is None:
        raise InvalidInput(errors={"project": _("Prosjektet '%(key)s' finnes ikke.",
                                                key=project_key)})
    if not system:
        perms.require(host, session, user, "create", project_id=project.id)
    type_id = host.catalog.issue_type_ids.get(issue_type)
    allowed_types = host.project_config(project.key).get("issue_types")
    if type_id is None or (allowed_types and issue_type not in allowed_types):
        raise InvalidInput(errors={"issuetype": _("Sakstypen '%(name)s' finnes ikke i "
                                                  "prosjektet.", name=issue_type)})
    workflow = host.workflow_for(project.key, issue_type)
    number = session.execute(
        update(Project).where(Project.id == project.id)
        .values(issue_counter=Project.issue_counter + 1)
        .returning(Project.issue_counter)).scalar_one()
    now = host.now()
    issue = Issue(project_id=project.id, number=number, key=f"{project.key}-{number}",
                  issue_type_id=type_id, summary="", description="",
                  status_id=host.catalog.status_ids[workflow.initial],
                  reporter_id=user.id if user else None, created=now, updated=now)
    session.add(issue)
    issue.project = project
    changes = {"summary": summary, "description": description, **(fields or {})}
    if not system and "assignee" in changes and changes["assignee"] not in (None, ""):
        perms.require(host, session, user, "assign", project_id=project.id)
    apply_fields(host, session, user, issue, changes, system=system)
    session.flush()
    host.db.after_commit(session, lambda: host.plugins.issue_created(host, issue, user))
    return issue


def edit_issue(host: Amsflow, session: Session, user: User | None, issue: Issue,
               changes: dict[str, Any], *, expected_version: int | None = None,
               system: bool = False) -> list[HistoryItem]:
    """Edit fields, write history, and tell plugins after commit.

    A stale ``expected_version`` (or a concurrent writer, caught by the version
    column at flush) is a conflict, never a silent overwrite.
    """
    from .errors import Conflict

    if not system:
        perms.require(host, session, user, "edit", issue)
        if "assignee" in changes:
            perms.require(host, session, user, "assign", issue)
    if expected_version is not None and expected_version != issue.version:
        raise Conflict(_("Saken er endret av noen andre. Last den inn på nytt."))
    history = set_fields(host, session, user, issue, changes, system=system)
    if history:
        host.db.flush(session)
    return history


def delete_issue(host: Amsflow, session: Session, user: User | None, issue: Issue) -> None:
    perms.require(host, session, user, "delete", issue)
    session.delete(issue)
    session.flush()
