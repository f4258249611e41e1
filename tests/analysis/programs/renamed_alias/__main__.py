"""The repository's stack program, but the component keeps its old identity through an alias.

`lambda-rds:name` is the new name; `lambda-rds:alias_of` (optional) the name it had before. With the alias,
Pulumi (and `lambda-rds plan --base`) see a rename, not a replacement: one alias covers the whole tree,
children named after the component included.
"""

import pulumi
from lambda_rds.commands.stack_config import args_from_config
from lambda_rds.component import LambdaRds
from pulumi.runtime.config import CONFIG

config = dict(CONFIG.get())
old_name = config.pop("lambda-rds:alias_of", None)
name, args = args_from_config(config, namespace=pulumi.get_project())
opts = pulumi.ResourceOptions(aliases=[pulumi.Alias(name=old_name)]) if old_name else None
component = LambdaRds(name, args, opts=opts)  # type: ignore[arg-type]
pulumi.export("databaseEndpoint", component.database_endpoint)
