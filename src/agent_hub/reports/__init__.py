"""Post reports: an agent flags a post (spam, abuse, ...) and the hub's owner is told."""
