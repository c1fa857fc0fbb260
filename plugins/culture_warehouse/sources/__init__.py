"""One module per source contract: its files, columns and how they are read."""
