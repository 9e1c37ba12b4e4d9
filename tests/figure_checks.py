"""Checks shared by the tests of the ``*_figures`` modules."""

from __future__ import annotations


def labelled(ax) -> bool:
    """True when ``ax`` has a title and both axis labels (what the alt text of a figure is made from)."""
    return bool(ax.get_title()) and bool(ax.get_xlabel()) and bool(ax.get_ylabel())
