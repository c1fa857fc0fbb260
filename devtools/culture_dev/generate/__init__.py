"""The synthetic landing drop: every source file of the contracts, messy as real exports are."""

from culture_dev.generate.landing import GenerationSummary, generate_landing

__all__ = ["GenerationSummary", "generate_landing"]
