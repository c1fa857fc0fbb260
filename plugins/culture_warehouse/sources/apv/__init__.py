"""APV register snapshots (contracts/apv-minutes-results.md)."""
