"""`make bench`: the mesh measured side by side in one run (see README.md)."""
