"""Ingest: readers' records into the store, counted and accounted for."""

from kadry.ingest.pipeline import Counts, FileResult, IngestReport, ingest_items, ingest_paths, resume_key

__all__ = ["Counts", "FileResult", "IngestReport", "ingest_items", "ingest_paths", "resume_key"]
