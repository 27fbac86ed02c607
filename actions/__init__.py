"""Custom actions of Sportello (rasa-sdk action server): one module per capability."""
