"""Every table, imported in one place so Alembic and create_all see the whole schema."""

from community.accessibility.models import MemberPreferences
from community.auth.models import SetupToken, User, UserSession
from community.auth.reset_models import PasswordResetToken
from community.auth.two_factor_models import RecoveryCode, TwoFactorSetting
from community.chat.models import ChatRead, Conversation, ConversationParticipant, Message
from community.consent.models import ConsentDocument, ConsentRecord, ConsentVersion
from community.core.audit import AuditEntry
from community.forum.image_models import PostImage
from community.forum.models import Announcement, AnnouncementDismissal, Post, PostRevision, Reaction, Topic
from community.forum.read_models import TopicRead
from community.groups.models import Group, Invitation, Membership
from community.moderation.models import QueueItem, Report
from community.notifications.models import Notification

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
    "Invitation",
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
    "SetupToken",
    "Topic",
    "TopicRead",
    "TwoFactorSetting",
    "User",
    "UserSession",
]  # fmt: skip
