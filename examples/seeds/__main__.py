"""Stack program: `Pulumi.<stack>.yaml` -> LambdaRds -> exports (see lambda_rds.commands.stack_program)."""

from lambda_rds.commands.stack_program import main

main()
