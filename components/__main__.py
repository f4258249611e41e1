"""Provider host for `pulumi package add`: serves LambdaRds to programs in any language."""

from lambda_rds._version import __version__
from lambda_rds.component import LambdaRds
from pulumi.provider.experimental import component_provider_host

if __name__ == "__main__":
    component_provider_host(name="lambda-rds", components=[LambdaRds], version=__version__)
