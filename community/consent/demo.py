"""Demo consent: published documents and the demo accounts' agreement, so demo sign-in is not stopped."""

from __future__ import annotations

from community.auth.models import User
from community.consent import documents, services

DEMO_DOCUMENTS = (
    ("terms", "Terms of use", "# Terms of use\n\nBe kind. Share only what you want to share. Moderators may hold "
                              "or remove posts that break the group's rules."),
    ("privacy", "Privacy notice", "# Privacy notice\n\nKring stores your account and what you write. Only members "
                                  "of a group read it. You can download or delete everything on your privacy page."),
    ("health_data", "Consent for health information", "# Health information\n\nI agree that Kring stores the health "
                                                       "information I choose to share in my groups."),
)  # fmt: skip


def seed(admin: User, people: list[User]) -> None:
    """Idempotent: documents are made once; a person who already agreed to the current version is skipped."""
    for kind, title, text in DEMO_DOCUMENTS:
        document = documents.instance_document(kind)
        if document is None:
            document = documents.create_document(admin, kind=kind, title=title)
        if documents.current_number(document.id) is None:
            documents.publish(admin, documents.save_draft(admin, document, language="en", text=text))
    for person in people:
        items = services.missing(person)
        if items:
            services.decide(person, {item.current.id: True for item in items})
