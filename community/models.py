"""Every table, imported in one place so Alembic and create_all see the whole schema."""

from community.accessibility.models import MemberPreferences
from community.auth.models import SetupToken, User, UserSession
from community.auth.reset_models import PasswordResetToken
from community.auth.two_factor_models import RecoveryCode, TwoFactorSetting
from community.chat.models import ChatRead, Conversation, ConversationParticipant, Message
from community.consent.models import (
    ConsentDocument,
    ConsentRecord,
    ConsentVersion,
    GuardianConfirmation,  # noqa: F401  (issue #7)
)
from community.core.audit import AuditEntry
from community.forum.image_models import PostImage
from community.forum.models import Announcement, AnnouncementDismissal, Post, PostRevision, Topic
from community.forum.read_models import TopicRead
from community.groups.access_log import AccessLogEntry  # noqa: F401  (issue #7)
from community.groups.models import Group, Invitation, Membership
from community.insight.models import HandoverNote, PilotGoal  # noqa: F401  (issue #10)
from community.moderation.filter_models import GroupModerationSettings, KeywordFilter, TopicSlowMode
from community.moderation.models import Appeal, MemberRelation, ModerationAction, ModeratorNote, QueueItem, Report  # noqa: F401  (issue #6 C)
from community.moderation.safeguarding.models import SafeguardingCase, SafeguardingNote
from community.notifications.models import DigestRun, EmailOutbox, MailProblem, Notification  # noqa: F401  (issue #10)
from community.privacy.models import DataExport, ErasureHold  # noqa: F401  (issue #7)
from community.professionals.models import (  # noqa: F401  (issue #9)
    ProfessionalProfile,
    ProfessionalQuestion,
    ProfessionalRequest,
    ProfileLanguage,
    ProfileSpecialty,
    Specialty,
)  # fmt: skip
from community.reactions.models import Reaction

__all__ = [
    "Announcement",
    "AnnouncementDismissal",
    "AuditEntry",
    "ChatRead",
    "ConsentDocument",
    "ConsentRecord",
    "ConsentVersion",
    "Conversation",
    "ConversationParticipant",
    "Group",
    "GroupModerationSettings",
    "Invitation",
    "KeywordFilter",
    "MemberPreferences",
    "Membership",
    "Message",
    "Notification",
    "PasswordResetToken",
    "Post",
    "PostImage",
    "PostRevision",
    "QueueItem",
    "Reaction",
    "RecoveryCode",
    "Report",
    "SafeguardingCase",
    "SafeguardingNote",
    "SetupToken",
    "Topic",
    "TopicRead",
    "TopicSlowMode",
    "TwoFactorSetting",
    "User",
    "UserSession",
]  # fmt: skip
