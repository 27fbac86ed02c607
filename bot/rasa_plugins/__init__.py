"""Loaded by the Rasa server (Python 3.10): NLU components, tracker store, lock store.

Named in config.yml and endpoints.yml; standard library, Rasa and ``actions.contract`` only.
"""
