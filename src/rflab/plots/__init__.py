"""Matplotlib figures and GIF animations (Agg backend, files only): arrays in, files out."""

from rflab.plots import bars, codes, fields, receptive_fields, theory

__all__ = ["bars", "codes", "fields", "receptive_fields", "theory"]
