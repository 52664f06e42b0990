"""Pure Block Kit builders, one module per surface; each is tested against Slack's limits."""
