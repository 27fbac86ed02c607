"""The public edge: each channel owns its customers' identity and relays to Rasa's REST channel."""
