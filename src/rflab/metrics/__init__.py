"""Measurements of learned codes and receptive fields: ``codes`` (reconstruction, spectrum, dimension,
description length), ``receptive_fields`` (IPR, centre and width, sinusoid fit, verdict),
``topography`` (class layout of units) and ``data_movement`` (the cost of reading a layer)."""

from rflab.metrics import codes, data_movement, receptive_fields, topography
from rflab.metrics.receptive_fields import fit_sinusoid, ipr, measure_units

__all__ = ["codes", "data_movement", "fit_sinusoid", "ipr", "measure_units", "receptive_fields", "topography"]
