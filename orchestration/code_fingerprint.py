"""One hash of everything that turns raw files into published numbers: the parsers and catalogue,
the dbt project (models, macros, seeds, tests, vars) and the expectation suites. A publication
records it, so `make run` can tell that nothing at all has changed since."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from .settings import DBT_PROJECT_DIR, REPO_ROOT

PARTS = [
    (REPO_ROOT / "orchestration", ("*.py", "*.yml")),
    (DBT_PROJECT_DIR / "models", ("*.sql", "*.yml")),
    (DBT_PROJECT_DIR / "macros", ("*.sql",)),
    (DBT_PROJECT_DIR / "seeds", ("*.csv", "*.yml")),
    (DBT_PROJECT_DIR / "tests", ("*.sql",)),
    (REPO_ROOT / "expectations", ("*.json",)),  # layouts/ included (rglob)
]


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    digest = hashlib.sha256()
    files = [DBT_PROJECT_DIR / "dbt_project.yml"]
    for folder, patterns in PARTS:
        files += [p for pattern in patterns for p in folder.rglob(pattern) if "__pycache__" not in p.parts]
    for path in sorted(set(files)):
        digest.update(path.relative_to(REPO_ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def ingest_fingerprint() -> str:
    """The parsers and the catalogue: a raw file parsed by other code is parsed again."""
    digest = hashlib.sha256()
    for path in sorted((REPO_ROOT / "orchestration" / "ingest").glob("*.[py][yl]*")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
