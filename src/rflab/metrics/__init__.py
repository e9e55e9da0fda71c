"""Measurements of learned codes and receptive fields."""
