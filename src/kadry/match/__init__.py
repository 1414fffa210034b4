"""kadry.match."""
