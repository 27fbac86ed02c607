"""The staff console under /console: transcripts, hand-overs, teaching the bot, analytics."""
