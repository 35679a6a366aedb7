"""Profile the marginal cost of ingest into a big library: copy a library the
benchmark built, ingest the first dumps of a fresh corpus (another seed) into
the copy under cProfile, print the top functions and who calls sqlite.

    python bench/profile_ingest.py [bench/work/lib-100k.db] [--dumps 60]
"""

import argparse
import cProfile
import datetime as dt
import pstats
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
import corpus  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("library", nargs="?", default=str(HERE / "work" / "lib-100k.db"))
    ap.add_argument("--dumps", type=int, default=60)
    args = ap.parse_args()
    from papertriage.core import ingest as ing
    from papertriage.store import Library

    extra = HERE / "work" / "corpus-profile-s1"
    if not (extra / "pages.jsonl").exists():
        corpus.generate_corpus(extra, 6000, seed=1)
    copy = HERE / "work" / "profile.db"
    shutil.copyfile(args.library, copy)
    lib = Library(copy)
    pages = list(corpus.read_pages(extra))[:args.dumps]
    prof = cProfile.Profile()
    start = time.perf_counter()
    prof.enable()
    n = sum(ing.ingest_one(lib, ing.DumpSource(p["file"], extra / p["file"]),
                           page_date=dt.date.fromisoformat(p["page_date"])).records for p in pages)
    prof.disable()
    print(f"{n} sightings in {time.perf_counter() - start:.1f} s under cProfile")
    stats = pstats.Stats(prof)
    stats.sort_stats("tottime").print_stats(20)
    stats.print_callers("execute")
    lib.close()
    copy.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
