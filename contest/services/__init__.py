"""Service steps: one function per use case. Load rows, call the pure core, save, then publish.

Views, socket handlers and CLI commands call these and nothing deeper.
"""
