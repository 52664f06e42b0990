"""What services show in Slack: each module implements one service's publisher port with a
`WebClient` and the pure Block Kit builders in `bot.slack.blocks`."""
