"""Stack program: `Pulumi.<stack>.yaml` -> LambdaRds -> exports (see lambda_rds.stack_program)."""

from lambda_rds.stack_program import main

main()
