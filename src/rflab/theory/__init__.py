"""Analytical predictions, each checked against simulation in the tests: ``amplifier`` (phi(a) and its
Taylor form), ``dynamics`` (the effective ODE), ``pair_closure`` and ``relu_flow`` (exact flows)."""

from rflab.theory import amplifier, dynamics, pair_closure, relu_flow
from rflab.theory.amplifier import phi, phi_taylor

__all__ = ["amplifier", "dynamics", "pair_closure", "phi", "phi_taylor", "relu_flow"]
