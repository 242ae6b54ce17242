"""Moderation: the one screening pipeline every piece of member text passes, and the queue."""
