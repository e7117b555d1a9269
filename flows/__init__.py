"""Prefect flows of the pipeline (``flows/annual.py``: the annual run)."""
