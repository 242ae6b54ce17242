"""Safeguarding: crisis language detection, helplines, and safeguarding cases with a response clock.

The pipeline (``moderation.services.screen``) calls :func:`assess`; when a held item carries a signal it calls
:func:`open_case_for_held`. Members raise "I'm worried about this person" through ``services.raise_concern``.
"""

from community.moderation.safeguarding.detection import SafeguardingSignal, assess
from community.moderation.safeguarding.helplines import helpline_message, helpline_notice
from community.moderation.safeguarding.services import open_case_for_held

__all__ = ["SafeguardingSignal", "assess", "helpline_message", "helpline_notice", "open_case_for_held"]
