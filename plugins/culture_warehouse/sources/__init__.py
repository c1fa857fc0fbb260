"""One package per source (its contract, parse code and ingestor); ``registry.py`` lists them."""
