"""HR exports (contracts/hr.md): org tree and employee snapshots, absence deltas, events."""
