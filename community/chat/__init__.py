"""Real-time chat: group rooms and private conversations."""
