"""The rflab version: part of every run id, so a run made by another version is never served."""

__version__ = "0.1.0"
