"""The Slack bot (slack-bolt): HTTP mode at /slack/events, optional Socket Mode, approvals as Block Kit buttons."""
