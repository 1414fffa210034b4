"""Readers for real input formats, chosen with ``--format`` or detected from a file's content.

Every reader scores the file's decoded head (see kadry.sources.base for the protocol); the
clear winner reads it. A weak best score or a near tie is an error that names the candidates,
and a file about people is never given to a vacancy reader.
"""

from __future__ import annotations

from pathlib import Path

from kadry.errors import ConfigError, InputError, UnreadableFileError
from kadry.sources.base import MARGIN, STRONG, Head, Item, Reader, Score
from kadry.sources.people import person_evidence
from kadry.sources.textio import check_regular

__all__ = ["Item", "Reader", "readers", "reader_names", "get_reader", "detect", "expand_paths", "rank"]

# modules with a READERS list, most specific first
_MODULES = ["mapped", "trudvsem_xml", "trudvsem", "hh_resume", "resume_csv", "hh_json", "hh_csv"]
_DATA_SUFFIXES = {".json", ".jsonl", ".ndjson", ".csv", ".tsv", ".gz", ".parquet", ".xml"}


def readers() -> list[Reader]:
    """Every reader, most specific first; a listed module that is missing, or lists no READERS, is an error."""
    from kadry.registry import load_modules

    found: list[Reader] = []
    for module in load_modules("kadry.sources", _MODULES):
        listed = getattr(module, "READERS", None)
        if not listed:
            raise ConfigError(f"kadry.sources lists {module.__name__} but it defines no READERS")
        found.extend(listed)
    return found


def reader_names() -> list[str]:
    names = [r.name for r in readers()] + ["mapped", "canonical"]
    return list(dict.fromkeys(names))


def get_reader(name: str) -> Reader:
    for reader in readers():
        if reader.name == name:
            return reader
    raise InputError(f"unknown format {name!r}; known formats: {', '.join(reader_names())}")


def _score(reader: Reader, head: Head) -> Score:
    """A reader's score; one with only the older ``sniff`` counts as sure (0.9) when it claims the file."""
    if hasattr(reader, "score"):
        return reader.score(head)
    claims = reader.sniff(head.path, head.raw)
    return Score(0.9 if claims else 0.0, getattr(reader, "kind", "vacancy"), f"{reader.name} claims it")


def rank(head: Head) -> list[tuple[Score, Reader]]:
    """Every reader's score of a file head, best first."""
    scored = [(_score(reader, head), reader) for reader in readers()]
    return sorted(scored, key=lambda pair: -pair[0].value)


def _hint() -> str:
    return "pass --format (one of " + ", ".join(reader_names()) + ") or --mapping FILE (see docs/formats.md)"


def detect(path: Path) -> Reader:
    """The reader that is clearly surest it can read the file, or an error saying why not."""
    path = Path(path)
    check_regular(path)
    head = Head.of(path)
    if not head.text.strip():
        raise UnreadableFileError(path, "empty file")
    ranked = rank(head)
    (best, reader), (second, runner) = ranked[0], ranked[1]
    people = person_evidence(head)
    if people and (best.kind != "resume" or best.value < STRONG):
        raise UnreadableFileError(
            path,
            f"looks like a file about people ({people}), not vacancies: not read; "
            'if it holds resumes, read it with a mapping of kind = "resume" naming only '
            "the fields to keep (--mapping FILE, see docs/formats.md)",
        )
    if best.value < STRONG:
        guesses = ", ".join(f"{r.name} {s.value:.2f} ({s.why})" for s, r in ranked[:2] if s.value > 0)
        raise UnreadableFileError(
            path, "format not recognised" + (f" (best guesses: {guesses})" if guesses else "") + "; " + _hint()
        )
    if second.value > best.value - MARGIN:
        raise UnreadableFileError(
            path,
            f"not sure which format: {reader.name} {best.value:.2f} ({best.why}) or "
            f"{runner.name} {second.value:.2f} ({second.why}); " + _hint(),
        )
    return reader


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files named, and data files under directories named (sorted, hidden files skipped)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (
                    not child.is_dir()
                    and not any(p.startswith(".") for p in child.relative_to(path).parts)
                    and child.suffix.lower() in _DATA_SUFFIXES
                ):
                    out.append(child)
        elif path.exists() or path.is_symlink():
            out.append(path)
        else:
            raise UnreadableFileError(path, "no such file or directory")
    return out
