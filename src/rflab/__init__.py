"""rflab: how structured representations emerge from learning."""

__version__ = "0.1.0"
