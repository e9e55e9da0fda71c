"""Models as init/apply pairs over plain pytrees: ``neurons`` (ReLU neurons, committee machines),
``population`` (RBF and MDL population codes), ``autoencoder``, ``som`` (Kohonen map), ``initial_codes``
(label-free starting codes) and ``coders`` (which population coder a config names)."""

from rflab.models import autoencoder, coders, initial_codes, neurons, population, som

__all__ = ["autoencoder", "coders", "initial_codes", "neurons", "population", "som"]
