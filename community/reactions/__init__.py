"""Reactions: the few kind words a member can leave on a post or a chat message (hug, me too, thank you,
strength). Shared by the forum and chat, which each toggle and show them on their own items."""
