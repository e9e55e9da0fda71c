"""``import rflab`` asks JAX for float32 matrix products (JAX's default on NVIDIA GPUs is TensorFloat-32),
whether JAX was imported before or after it, and leaves a user's own choice alone. Each case runs in a
fresh interpreter, since the setting is process-wide."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SHOW = ("import jax, jax.numpy as jnp; a = jnp.ones((2, 2)); "
        "print(jax.config.jax_default_matmul_precision, 'HIGHEST' in jax.jit(jnp.matmul).lower(a, a).as_text())")


@pytest.mark.parametrize(("imports", "env", "expected"), [
    ("import rflab; import jax", None, "highest True"),
    ("import jax; import rflab", None, "highest True"),
    ("import rflab; import jax", "tensorfloat32", "tensorfloat32 False"),
    ("import jax; jax.config.update('jax_default_matmul_precision', 'bfloat16'); import rflab", None,
     "bfloat16 False"),
])
def test_import_rflab_makes_matrix_products_float32_unless_the_user_chose(imports: str, env: str | None,
                                                                         expected: str) -> None:
    environ = {k: v for k, v in os.environ.items() if k != "JAX_DEFAULT_MATMUL_PRECISION"}
    if env is not None:
        environ["JAX_DEFAULT_MATMUL_PRECISION"] = env
    done = subprocess.run([sys.executable, "-c", f"{imports}; {SHOW}"], capture_output=True, text=True,
                          env=environ, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == expected
