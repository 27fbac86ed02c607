"""The web app on port 8000: demo portal page, chat widget, chat and upload API, the console."""
