"""What an ingest reports: counted records per file, and the salted key of a resume.

Its own module so that every ingest path (records, canonical Parquet, snapshots) shares these
without importing one another.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

__all__ = ["Counts", "FileResult", "IngestReport", "resume_key"]


@dataclass
class Counts:
    read: int = 0
    stored: int = 0
    merged: int = 0
    quarantined: int = 0

    def add(self, other: Counts) -> None:
        self.read += other.read
        self.stored += other.stored
        self.merged += other.merged
        self.quarantined += other.quarantined

    @property
    def balanced(self) -> bool:
        return self.read == self.stored + self.merged + self.quarantined


@dataclass
class FileResult:
    """One file's outcome: counted records, or why it was ``skipped`` (never read) or ``failed``
    (read or write broke off; nothing of it is stored, or only its first parts, see kadry.ingest.lines)."""

    path: str
    format: str | None
    counts: Counts = field(default_factory=Counts)
    skipped: str | None = None
    failed: str | None = None
    names_hidden: int = 0
    fields_quarantined: int = 0
    nul_bytes: int = 0
    encoding: str | None = None
    #: records of the file an earlier run had stored in parts, which this run continued after
    #: (the counts are the whole file's)
    resumed: int = 0

    @property
    def problem(self) -> str | None:
        return self.skipped or self.failed


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every file was read and something was recognised (the CLI's exit code)."""
        return bool(self.files) and all(f.problem is None for f in self.files) and self.total.read > 0

    @property
    def total(self) -> Counts:
        out = Counts()
        for f in self.files:
            out.add(f.counts)
        return out


def resume_key(salt: bytes, source: str, source_id: str) -> str:
    """Salted hash of a resume id: stable within a store, useless outside it."""
    return hmac.new(salt, f"{source}\x1f{source_id}".encode(), hashlib.sha256).hexdigest()[:32]
