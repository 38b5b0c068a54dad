"""What follows a committed import, in one place: the search documents are rebuilt.

The search package (normsdb.search) is being rebuilt beside this one; until it exists and
offers `reindex`, there is nothing to do. The page cache needs nothing: database triggers
bump the data versions of the tables an import writes.
"""

import importlib
import importlib.util


def run():
    if importlib.util.find_spec("normsdb.search") is None:
        return
    reindex = getattr(importlib.import_module("normsdb.search"), "reindex", None)
    if reindex is not None:
        reindex(kinds=None)
