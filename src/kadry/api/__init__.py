"""kadry.api."""
