"""Issue links, with the link types the instance config defines (``link_types``).

Like Jira, a link goes from a source to a destination issue: the source shows the
type's *outward* text ("har tilleggsarbeid"), the destination the *inward* text.
Link type ids are stable: 10000 plus the type's place in the config.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .. import permissions as perms
from ..i18n import _
from ..models import Issue, IssueLink, User
from .errors import InvalidInput, NotFound
from .ids import as_id, is_id

if TYPE_CHECKING:
    from ..host import Amsflow

FIRST_TYPE_ID = 10000


@dataclass(frozen=True)
class LinkType:
    id: int
    name: str
    inward: str
    outward: str


def link_types(host: Amsflow) -> list[LinkType]:
    return [LinkType(FIRST_TYPE_ID + i, t["name"], t["inward"], t["outward"])
            for i, t in enumerate(host.config["link_types"])]


def find_link_type(host: Amsflow, ref: Any) -> LinkType:
    """By name (any case), id, or a Jira ``{"name": ...}`` / ``{"id": ...}`` object."""
    if isinstance(ref, dict):
        ref = ref.get("name") or ref.get("id")
    text = str(ref or "").strip()
    for lt in link_types(host):
        if text.casefold() == lt.name.casefold() or text == str(lt.id):
            return lt
    raise InvalidInput(errors={"issuelinks": _("Koblingstypen '%(name)s' finnes ikke.",
                                               name=text)})


def link_issues(host: Amsflow, session: Session, user: User | None, type_ref: Any,
                source: Issue, destination: Issue) -> IssueLink:
    """Link ``source`` -> ``destination``; needs *link* on the source. Idempotent."""
    lt = find_link_type(host, type_ref)
    perms.require(host, session, user, "link", source)
    if source.id == destination.id:
        raise InvalidInput(errors={"issuelinks": _("En sak kan ikke kobles til seg selv.")})
    existing = session.scalar(select(IssueLink).where(
        IssueLink.link_type == lt.name, IssueLink.outward_id == source.id,
        IssueLink.inward_id == destination.id))
    if existing is not None:
        return existing
    link = IssueLink(link_type=lt.name, outward_id=source.id, inward_id=destination.id)
    session.add(link)
    session.flush()
    return link


def links_of(session: Session, issue: Issue) -> list[IssueLink]:
    """Every link touching the issue (both directions), oldest first."""
    return list(session.scalars(select(IssueLink).where(
        or_(IssueLink.outward_id == issue.id, IssueLink.inward_id == issue.id))
        .order_by(IssueLink.id)))


def get_link(host: Amsflow, session: Session, user: User | None,
             link_id: int | str) -> IssueLink:
    """A link whose both ends the user can see; otherwise 404."""
    text = str(link_id)
    link = session.get(IssueLink, as_id(text)) if is_id(text) else None
    if link is None or not (perms.can_browse(host, session, user, link.outward) and
                            perms.can_browse(host, session, user, link.inward)):
        raise NotFound(_("Koblingen '%(id)s' finnes ikke.", id=link_id))
    return link


def delete_link(host: Amsflow, session: Session, user: User | None,
                link_id: int | str) -> None:
    link = get_link(host, session, user, link_id)
    perms.require(host, session, user, "link", link.outward)
    session.delete(link)
    session.flush()
