"""The placement model: constraint rows (section 5), CP-SAT and LP back ends."""
