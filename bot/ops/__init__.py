"""Operating the bot: structured logs with correlation ids (`logs`) and Prometheus metrics
(`metrics`). Plain modules the rest of the bot calls; neither knows Slack or the services."""
