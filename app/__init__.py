"""Cakap: a learning management system for Indonesian civil servants."""

__version__ = "0.1.0"
