"""Exact gradient flow of the single ReLU neuron (docs/localization.md, section 4).

For L(w) = E[(y - ReLU(w . x))^2] with balanced classes, symmetric marginals and labels y in {0, 1},
the exact population flow dw/dt = -grad L is

    dw/dt = (1/2) [ E_{x|y=1}[sign(w . x) x] - (Sigma_0 + Sigma_1) w ],

because E_c[ReLU(w . x) x] = Sigma_c w / 2 and E[H(w . x) x] = E[sign(w . x) x] / 2 by symmetry.
For Gaussian class-1 inputs E[sign(w . x) x] = sqrt(2/pi) Sigma_1 w / sqrt(w^T Sigma_1 w)
(w . x ~ N(0, s^2) with s^2 = w^T Sigma_1 w, E[x | w . x = u] = Sigma_1 w u / s^2, E|u| = s sqrt(2/pi)).
"""

from __future__ import annotations

import numpy as np


def gaussian_sign_moment(w: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """E[sign(w . x) x] for x ~ N(0, sigma): sqrt(2/pi) sigma w / sqrt(w^T sigma w)."""
    sw = sigma @ w
    return np.sqrt(2 / np.pi) * sw / np.sqrt(w @ sw)


def relu_flow(w: np.ndarray, sigma0: np.ndarray, sigma1: np.ndarray, sign_moment1: np.ndarray) -> np.ndarray:
    """dw/dt = (1/2) [E_1[sign(w . x) x] - (Sigma_0 + Sigma_1) w], given the class-1 sign moment."""
    return 0.5 * (sign_moment1 - (sigma0 + sigma1) @ w)


def gaussian_relu_flow(w: np.ndarray, sigma0: np.ndarray, sigma1: np.ndarray) -> np.ndarray:
    """The exact flow of the ReLU neuron when both classes are Gaussian."""
    return relu_flow(w, sigma0, sigma1, gaussian_sign_moment(w, sigma1))
