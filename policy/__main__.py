from lambda_rds.commands.crossguard import POLICY_PACK_NAME, build_policies
from pulumi_policy import PolicyPack

PolicyPack(POLICY_PACK_NAME, build_policies())
