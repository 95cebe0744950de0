"""calmfeet: a terminal companion for foot massage."""

__version__ = "0.1.0"
