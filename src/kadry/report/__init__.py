"""kadry.report."""
