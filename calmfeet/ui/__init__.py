"""The Textual layer: app, screens and widgets that show core state."""
