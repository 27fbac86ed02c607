"""The bot's two sides: plugins the Rasa server loads, and the channels customers use.

- ``bot.rasa_plugins`` runs inside the Rasa server (Python 3.10, the Rasa environment):
  it imports nothing from the app environment but ``actions.contract``.
- ``bot.channels`` (the web app and the Telegram bridge) runs in the app environment
  (Python 3.11+) and talks to Rasa only over its REST channel.
"""
