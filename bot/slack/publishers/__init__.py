"""What services show in Slack: implementations of their publisher ports."""
