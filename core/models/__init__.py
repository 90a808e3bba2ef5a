"""All tables of the core. Plugins add their own tables on the same ``Base``."""

from .base import Base, UTCDateTime, utcnow
from .catalog import IssueType, Project, Resolution, Status
from .history import ChangeGroup, ChangeItem
from .issues import Attachment, Comment, FieldValue, Issue, IssueLink, Watcher
from .jobs import JobRecord
from .users import (
    ApiToken,
    Group,
    GroupMember,
    LoginAttempt,
    ProjectRoleMember,
    User,
    UserSession,
)

__all__ = [
    "ApiToken", "Attachment", "Base", "ChangeGroup", "ChangeItem", "Comment", "FieldValue",
    "Group", "GroupMember", "Issue", "IssueLink", "IssueType", "JobRecord", "LoginAttempt",
    "Project", "ProjectRoleMember", "Resolution", "Status", "UTCDateTime", "User", "UserSession",
    "Watcher",
    "utcnow",
]
