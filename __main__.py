"""Stack program: stack config -> LambdaRds -> exports. Thin on purpose: everything lives in lambda_rds."""

import pulumi
from pulumi.runtime.config import CONFIG

from lambda_rds import LambdaRds
from lambda_rds.stack_config import args_from_config

name, args = args_from_config(CONFIG.get(), namespace=pulumi.get_project())
stack = LambdaRds(name, args)

pulumi.export("vpcId", stack.vpc_id)
pulumi.export("privateSubnetIds", stack.private_subnet_ids)
pulumi.export("functionSecurityGroupId", stack.function_security_group_id)
pulumi.export("databaseEndpoint", stack.database_endpoint)
pulumi.export("databasePort", stack.database_port)
pulumi.export("proxyEndpoint", stack.proxy_endpoint)
pulumi.export("connectHost", stack.connect_host)
pulumi.export("appSecretArn", stack.app_secret_arn)
pulumi.export("masterSecretArn", stack.master_secret_arn)
pulumi.export("functionNames", stack.function_names)
pulumi.export("functionArns", stack.function_arns)
pulumi.export("layerArn", stack.layer_arn)
