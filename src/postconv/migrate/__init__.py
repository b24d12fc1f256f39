"""Migrating whole archives: sources, the plan, worker processes, the report."""
