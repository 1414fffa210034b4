"""kadry.web."""
