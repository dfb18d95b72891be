"""Waypoint's tests, laid out like the code: unit/<domain>/, functional/<area>/, integration/."""

from pathlib import Path

# The checkout's root, whatever folder a test file sits in.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
