"""Shared kit of the model families: torch helpers, scaling, CRFs, text features."""
