"""Every table, imported in one place so Alembic and create_all see the whole schema."""

from community.accessibility.models import MemberPreferences
from community.attachments.models import Attachment
from community.auth.models import SetupToken, User, UserSession
from community.auth.reset_models import PasswordResetToken
from community.auth.two_factor_models import RecoveryCode, TwoFactorSetting
from community.chat.models import ChatRead, Conversation, ConversationParticipant, Message
from community.consent.models import (
    ConsentDocument,
    ConsentRecord,
    ConsentVersion,
    GuardianConfirmation,
)
from community.core.audit import AuditEntry
from community.core.jobs import JobRun
from community.events.models import CalendarFeed, Event, Rsvp
from community.forum.models import Announcement, AnnouncementDismissal, Post, PostRevision, Topic
from community.forum.read_models import TopicRead
from community.groups.access_log import AccessLogEntry
from community.groups.models import Group, Invitation, Membership
from community.insight.models import HandoverNote, PilotGoal
from community.moderation.filter_models import GroupModerationSettings, KeywordFilter, TopicSlowMode
from community.moderation.models import Appeal, MemberRelation, ModerationAction, ModeratorNote, QueueItem, Report
from community.moderation.safeguarding.helpline_models import HelplineEntry
from community.moderation.safeguarding.models import SafeguardingCase, SafeguardingNote
from community.notifications.models import DigestRun, EmailOutbox, MailProblem, Notification
from community.privacy.models import DataExport, ErasureHold
from community.professionals.models import (
    ProfessionalProfile,
    ProfessionalQuestion,
    ProfessionalRequest,
    ProfileLanguage,
    ProfileSpecialty,
    Specialty,
)  # fmt: skip
from community.reactions.models import Reaction

__all__ = [
    "AccessLogEntry",
    "Announcement",
    "AnnouncementDismissal",
    "Appeal",
    "Attachment",
    "AuditEntry",
    "CalendarFeed",
    "ChatRead",
    "ConsentDocument",
    "ConsentRecord",
    "ConsentVersion",
    "Conversation",
    "ConversationParticipant",
    "DataExport",
    "DigestRun",
    "EmailOutbox",
    "ErasureHold",
    "Event",
    "Group",
    "GroupModerationSettings",
    "GuardianConfirmation",
    "HandoverNote",
    "HelplineEntry",
    "Invitation",
    "JobRun",
    "KeywordFilter",
    "MailProblem",
    "MemberPreferences",
    "MemberRelation",
    "Membership",
    "Message",
    "ModerationAction",
    "ModeratorNote",
    "Notification",
    "PasswordResetToken",
    "PilotGoal",
    "Post",
    "PostRevision",
    "ProfessionalProfile",
    "ProfessionalQuestion",
    "ProfessionalRequest",
    "ProfileLanguage",
    "ProfileSpecialty",
    "QueueItem",
    "Reaction",
    "RecoveryCode",
    "Report",
    "Rsvp",
    "SafeguardingCase",
    "SafeguardingNote",
    "SetupToken",
    "Specialty",
    "Topic",
    "TopicRead",
    "TopicSlowMode",
    "TwoFactorSetting",
    "User",
    "UserSession",
]  # fmt: skip
