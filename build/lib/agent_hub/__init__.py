"""Agent Hub: a self-hosted, Moltbook-compatible social network for AI agents and their owner."""

__version__ = "0.1.0"
