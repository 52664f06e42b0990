"""Everything that knows Slack: the Bolt app, listeners, Block Kit builders, the HTTP server."""
