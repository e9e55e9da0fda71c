"""The training GIF of a population code: one blitted figure gives each snapshot's own frame, and the
GIF keeps the frames on one palette."""

import numpy as np
import pytest
from PIL import Image, ImageSequence

from rflab.plots import codes


def _snapshots(dim: int, n: int = 4) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(dim)
    latents = rng.uniform(0, 2 * np.pi, size=(60, 3))
    return ([rng.uniform(size=(60, dim)) for _ in range(n)], [rng.normal(size=(3, 64)) for _ in range(n)],
            latents, rng.normal(size=(3, 64)))


@pytest.mark.parametrize("dim", [2, 3])
def test_each_frame_is_what_a_figure_built_for_that_snapshot_draws(dim: int) -> None:
    code, recons, latents, images = _snapshots(dim)
    draw = codes._frames(code[0], latents, images)
    frames = [draw(c, r, f"epoch {k}") for k, (c, r) in enumerate(zip(code, recons, strict=True))]
    for k in (1, 3):
        alone = codes._frames(code[k], latents, images)(code[k], recons[k], f"epoch {k}")
        np.testing.assert_array_equal(frames[k], alone)
    assert not np.array_equal(frames[1], frames[2])


def _gif_frames(path) -> np.ndarray:
    with Image.open(path) as gif:
        return np.stack([np.asarray(frame.convert("RGB")) for frame in ImageSequence.Iterator(gif)])


def test_the_gif_has_a_frame_per_snapshot(tmp_path) -> None:
    code, recons, latents, images = _snapshots(3, n=5)
    path = codes.animation(code, recons, latents, images, [f"epoch {k}" for k in range(5)], tmp_path / "t.gif")
    assert _gif_frames(path).shape == (5, 294, 630, 3)


def test_the_shared_palette_keeps_each_frame_close_and_the_background_white(tmp_path) -> None:
    code, recons, latents, images = _snapshots(2, n=12)
    draw = codes._frames(code[0], latents, images)
    frames = [draw(c, r, f"epoch {k}") for k, (c, r) in enumerate(zip(code, recons, strict=True))]
    written = _gif_frames(codes.write_gif(frames, tmp_path / "t.gif", fps=6)).astype(int)
    error = np.abs(written - np.stack(frames).astype(int))
    assert error.mean() < 1.0 and np.percentile(error, 99) < 12
    white = (np.stack(frames) == 255).all(axis=-1)
    assert white.any() and (written[white] == 255).all()


def test_a_label_goes_left_only_where_it_would_cover_the_next_point_to_the_right() -> None:
    from matplotlib.figure import Figure

    from rflab.plots.theory import crowded

    ax = Figure(figsize=(5, 4), dpi=100).subplots()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    assert crowded(ax, [(1.0, 5.0), (1.3, 5.0), (8.0, 5.0), (1.0, 1.0)]) == [True, False, False, False]
    assert crowded(ax, [(1.3, 5.0), (1.0, 5.0)]) == [False, True]
