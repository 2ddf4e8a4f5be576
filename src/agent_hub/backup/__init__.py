"""Backup and restore of the embedded default (SQLite database + local media directory)."""
