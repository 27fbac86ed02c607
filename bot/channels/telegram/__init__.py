"""The Telegram bridge (``sportello telegram``): polling or webhook, relaying to Rasa."""
