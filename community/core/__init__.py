"""Shared building blocks with no feature rules of their own."""
