"""Inter-coder reliability: time-unit κ, event matching and alignment, rating agreement,
pairwise matrices and the certification rule. Pure: DataFrames in, DataFrames out."""
