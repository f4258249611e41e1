"""Monthly cost: prices, the usage file, the estimate, the egress comparison and what it leaves out."""
