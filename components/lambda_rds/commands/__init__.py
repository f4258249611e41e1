"""The `lambda-rds` command line and the programs it runs.

The verbs (`cli`: plan, schema, deployer-policy; doctor lives in `lambda_rds.doctor`), what `plan` runs
(`capture` runs a program under mocks), the docs generator, the CrossGuard pack's entry, and the stack
program with its YAML 1.2 config.
"""
