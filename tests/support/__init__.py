"""What the test suites share: services, stack, customers, settings (standard library where
the Rasa environment's tests import it)."""
