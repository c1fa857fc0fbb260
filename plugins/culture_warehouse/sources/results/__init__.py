"""Goals and results plans (mål- og resultatplan), replaced per year."""
