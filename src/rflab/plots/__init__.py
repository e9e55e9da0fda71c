"""Matplotlib figures and GIF animations (Agg backend, files only)."""
