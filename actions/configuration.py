"""The action server's start-up check.

rasa_sdk imports every module of this package when the server starts: invalid settings (for
instance no ``SECRET_KEY`` outside development) stop it here, with the reasons, before it
serves a request.
"""

from backend.settings import settings_or_exit

settings_or_exit()
