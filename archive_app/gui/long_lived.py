"""Keeping the garbage collector's full passes short while an archive is open.

Now and then CPython's cyclic garbage collector makes a full pass over every
container object in the process. It runs in whichever thread happens to be
allocating, and holds the interpreter lock throughout: with 100,000 articles
open that pass took 30 to 50 ms, and when the import's thread set one off (as
the lazy import of a module at the start of every import did) the window
stopped for that long.

Nearly all of those objects (modules, classes, widgets, the open archive, its
catalog and index readers, the topic rules) live as long as the archive stays
open. Once it is open they are moved to the collector's permanent generation
(`gc.freeze`), so later full passes only visit what was made since. When the
archive closes they are handed back (`gc.unfreeze`), so that any reference
cycles among them that have become garbage are still collected.

Freezing costs nothing itself (it moves one list onto another); what it gives
up is collecting cycles among the frozen objects while the archive stays open.
Objects freed by reference counting, as almost all are, are freed as before.
"""

from __future__ import annotations

import gc


def freeze_long_lived_objects() -> None:
    """Leave every object that exists now out of later collections (archive just opened)."""
    gc.freeze()


def unfreeze_long_lived_objects() -> None:
    """Let collections visit the frozen objects again (archive closing)."""
    gc.unfreeze()
