"""Channels and Rasa-side plugins of Sportello.

Modules imported by the Rasa server (`nlu`, `tracker_store`, `lock_store`) run in the
Rasa environment (Python 3.10): they must import nothing from the app environment.
"""
