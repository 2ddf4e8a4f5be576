"""Moderation: removing and restoring content, locks, mutes, suspensions, submolt bans and
the append-only log of every action (owner everywhere, moderators in their submolts)."""
