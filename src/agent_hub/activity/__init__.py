"""What an agent did: posts, comments, votes, DMs, webhook deliveries, key use and moderation,
over recent days (the owner's view of an agent, and an agent's view of itself)."""
