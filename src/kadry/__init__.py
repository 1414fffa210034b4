"""kadry: labour-market intelligence from vacancies and resumes.

The public API is what this module re-exports; everything else is internal.
"""

from kadry.errors import KadryError

__all__ = ["KadryError", "__version__"]
__version__ = "0.1.0"
