"""autograder.results.charts: figures as data: PNGs, with alt text made of the same numbers."""

from __future__ import annotations

import base64
import io

import numpy as np
from matplotlib.image import imread

from autograder.results import charts


def decode(uri: str) -> np.ndarray:
    assert uri.startswith("data:image/png;base64,")
    return imread(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])), format="png")


def test_score_histogram_is_a_png_and_its_alt_text_gives_the_counts():
    uri, alt = charts.score_histogram([0.0, 0.0, 5.0, 10.0, 10.0, 10.0], 10.0, "a1: scores")
    image = decode(uri)
    assert image.shape[0] > 100 and image.shape[1] > 200
    assert (image[..., :3] < 0.5).any()  # something dark is drawn on the white
    assert alt.startswith("a1: scores: histogram of 6 scores out of 10")
    assert "2 between 0 and 1" in alt and "1 between 5 and 6" in alt and "3 between 9 and 10" in alt


def test_pass_rates_alt_text_lists_every_check():
    uri, alt = charts.pass_rates(["square_tests", "cube_tests"], [1.0, 0.25], "a1: pass rate per check")
    assert decode(uri).shape[1] > 200
    assert "square_tests 100%" in alt and "cube_tests 25%" in alt


def test_an_empty_class_still_draws():
    uri, alt = charts.score_histogram([], 0.0, "empty")
    assert decode(uri).size and "histogram of 0 scores" in alt
