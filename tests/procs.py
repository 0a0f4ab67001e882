"""Process checks shared by the tests that start solver processes."""

from __future__ import annotations

import psutil


def no_children() -> bool:
    """Whether this process has no child process left (at any depth)."""
    return not psutil.Process().children(recursive=True)
