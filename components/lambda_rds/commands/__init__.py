"""The `lambda-rds` command line and what it runs: plan, schema, deployer-policy, docs, capture,
CrossGuard, the stack program and its config."""
