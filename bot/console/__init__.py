"""The staff console: conversations, analytics and charts for support staff."""
