"""Build the ``Model`` from a resource list: the network, functions and databases as AWS would see them.

Built from ``Resource`` records whatever their source. Per type, the camelCase keys read (a boto3
adapter for ``doctor`` fills these and nothing else is required):

- ``aws:ec2/vpc:Vpc``: cidrBlock, mainRouteTableId, defaultSecurityGroupId
- ``aws:ec2/subnet:Subnet``: vpcId, availabilityZone, availabilityZoneId, cidrBlock, mapPublicIpOnLaunch
- ``aws:ec2/routeTable:RouteTable``: vpcId, routes[{cidrBlock, gatewayId, natGatewayId, vpcEndpointId,
  networkInterfaceId, transitGatewayId, vpcPeeringConnectionId}]; ``aws:ec2/defaultRouteTable``: the same
  plus defaultRouteTableId
- ``aws:ec2/route:Route``: routeTableId, destinationCidrBlock, and one target id as above
- ``aws:ec2/routeTableAssociation``: subnetId, routeTableId; ``aws:ec2/mainRouteTableAssociation``: vpcId,
  routeTableId
- ``aws:ec2/internetGateway``: vpcId; ``aws:ec2/internetGatewayAttachment``: vpcId, internetGatewayId
- ``aws:ec2/natGateway``: subnetId, connectivityType, allocationId, availabilityMode, vpcId (regional
  gateways have no subnet); ``aws:ec2/eip``: domain
- ``aws:ec2/securityGroup`` and ``aws:ec2/defaultSecurityGroup``: vpcId, ingress[], egress[]
  ({protocol, fromPort, toPort, cidrBlocks, ipv6CidrBlocks, securityGroups, self, prefixListIds})
- ``aws:ec2/securityGroupRule``: type, securityGroupId, protocol, fromPort, toPort, cidrBlocks,
  ipv6CidrBlocks, sourceSecurityGroupId, self, prefixListIds
- ``aws:vpc/securityGroupIngressRule`` / ``EgressRule``: securityGroupId, ipProtocol, fromPort, toPort,
  cidrIpv4, cidrIpv6, referencedSecurityGroupId, prefixListId
- ``aws:ec2/networkAcl`` / ``defaultNetworkAcl``: vpcId, subnetIds, ingress[], egress[] ({ruleNo, action,
  protocol, fromPort, toPort, cidrBlock}); ``aws:ec2/networkAclRule``: networkAclId, ruleNumber, egress,
  protocol, ruleAction, cidrBlock, fromPort, toPort; ``aws:ec2/networkAclAssociation``: networkAclId, subnetId
- ``aws:ec2/vpcEndpoint``: vpcId, serviceName, vpcEndpointType, subnetIds, securityGroupIds,
  privateDnsEnabled, routeTableIds
- ``aws:lambda/function``: arn, role, vpcConfig{subnetIds, securityGroupIds}, timeout, memorySize,
  reservedConcurrentExecutions, environment{variables}, runtime, architectures
- ``aws:iam/role``: arn, inlinePolicies[{policy}], managedPolicyArns; ``aws:iam/rolePolicy``: role, policy;
  ``aws:iam/rolePolicyAttachment``: role, policyArn; ``aws:iam/policy``: arn, policy
- ``aws:rds/instance``: engine, engineVersion, port, address, instanceClass, dbSubnetGroupName,
  vpcSecurityGroupIds, publiclyAccessible, resourceId, parameterGroupName, username, and the flags the
  policies read (storageEncrypted, multiAz, …); ``aws:rds/cluster`` likewise with endpoint,
  clusterResourceId, dbClusterParameterGroupName, serverlessv2ScalingConfiguration;
  ``aws:rds/clusterInstance``: clusterIdentifier, instanceClass
- ``aws:rds/subnetGroup``: name, subnetIds; ``aws:rds/parameterGroup`` / ``clusterParameterGroup``: name,
  parameters[{name, value}]
- ``aws:rds/proxy``: arn, endpoint, engineFamily, vpcSubnetIds, vpcSecurityGroupIds, requireTls, auths,
  defaultAuthScheme; ``aws:rds/proxyTarget``: dbProxyName, dbInstanceIdentifier | dbClusterIdentifier;
  ``aws:rds/proxyDefaultTargetGroup``: dbProxyName, connectionPoolConfig{maxConnectionsPercent}

Resources refer to each other by id, ARN or name, as in AWS: the model resolves them with indexes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from lambda_rds.analysis.model.databases import build_databases, build_proxies, build_secrets
from lambda_rds.analysis.model.firewalls import collect_network_acls, collect_security_groups
from lambda_rds.analysis.model.functions import build_functions, collect_roles
from lambda_rds.analysis.model.network import add_network
from lambda_rds.analysis.model.resources import Resource
from lambda_rds.analysis.model.values import as_str
from lambda_rds.analysis.model.views import Model

__all__ = ["build_model"]


# The Region a plan assumes when no resource ARN names one (and `lambda-rds plan` when the stack config
# has no `aws:region`): us-east-1, whose AZs and prices the plan then uses; the report says so once.
ASSUMED_REGION = "us-east-1"


def _region_and_account(resources: Sequence[Resource]) -> tuple[str, str | None]:
    """The Region and account the resources' ARNs name; ``""`` for a Region none names."""
    region, account = "", None
    for r in resources:
        arn = as_str(r.get("arn"))
        if not arn or not arn.startswith("arn:"):
            continue
        parts = arn.split(":")
        if len(parts) > 4:
            region = region or parts[3]
            account = account or (parts[4] or None)
        if region and account:
            break
    return region, account


def stack_region(resources: Sequence[Resource]) -> str:
    """The region the plan prices: from the resources' ARNs (mocks carry ``aws:region``), else us-east-1."""
    return _region_and_account(resources)[0] or ASSUMED_REGION


def build_model(resources: Iterable[Resource]) -> Model:
    """Index a resource list into the typed views the checks use."""
    res = list(resources)
    m = Model(res)
    region, m.account_id = _region_and_account(res)
    m.region, m.region_assumed = region or ASSUMED_REGION, not region
    add_network(m, res)
    m.sgs = collect_security_groups(res)
    m.nacls = collect_network_acls(res)
    m.roles = collect_roles(res)
    m.functions = build_functions(res, m.roles)
    m.databases = build_databases(res)
    m.proxies = build_proxies(res)
    m.secrets = build_secrets(res, m.databases)
    return m
