"""Matplotlib figures and GIF animations, files only: built on ``matplotlib.figure.Figure``, so importing rflab
leaves the caller's pyplot backend (Jupyter's inline one, say) as it was."""

from rflab.plots import bars, codes, fields, receptive_fields, theory

__all__ = ["bars", "codes", "fields", "receptive_fields", "theory"]
