"""Safeguarding: crisis language detection, helplines, and safeguarding cases with a response clock.

The pipeline (``moderation.services.screen``) calls :func:`assess`; when a held item carries a signal it calls
:func:`open_case_for_held`. Members raise "I'm worried about this person" through ``services.raise_concern``.
``member_bp`` holds the members' pages (/help, and the "I'm worried" forms, whose views the forum and chat add
for their own posts and messages).
"""

from flask import Blueprint

from community.moderation.safeguarding.detection import SafeguardingSignal, assess
from community.moderation.safeguarding.helplines import helpline_message, helpline_notice
from community.moderation.safeguarding.services import open_case_for_held

member_bp = Blueprint("safeguarding", __name__)

__all__ = ["SafeguardingSignal", "assess", "helpline_message", "helpline_notice", "member_bp", "open_case_for_held"]
