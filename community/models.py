"""Every table, imported in one place so Alembic and create_all see the whole schema."""

from community.accessibility.models import MemberPreferences
from community.auth.models import SetupToken, User, UserSession
from community.auth.reset_models import PasswordResetToken
from community.auth.two_factor_models import RecoveryCode, TwoFactorSetting
from community.chat.models import Conversation, ConversationParticipant, Message
from community.consent.models import ConsentDocument, ConsentRecord, ConsentVersion
from community.core.audit import AuditEntry
from community.forum.models import Post, PostRevision, Reaction, Topic
from community.groups.models import Group, Invitation, Membership
from community.moderation.models import QueueItem, Report

__all__ = [
    "AuditEntry", "ConsentDocument", "ConsentRecord", "ConsentVersion", "Conversation",
    "ConversationParticipant", "Group", "Invitation", "MemberPreferences", "Membership", "Message",
    "PasswordResetToken", "Post",
    "PostRevision", "QueueItem", "Reaction", "RecoveryCode", "Report", "SetupToken", "Topic", "TwoFactorSetting",
    "User", "UserSession",
]  # fmt: skip
