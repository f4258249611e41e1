"""Deterministic Lambda packaging: function zips and a cached dependency layer built for the Lambda platform.

from lambda_rds.packaging import LayerSpec, build_function_zip, build_layer

code = build_function_zip(Path("functions/app"))           # same sources -> same bytes, everywhere
layer = build_layer(LayerSpec.from_requirements_file(Path("functions/requirements.txt"),
                                                     extra_packages=(Path("functions/<runtime pkg>"),)))
if not layer.built: print(layer.note)                      # offline placeholder, never deploy it
"""

from lambda_rds.packaging.cache import cache_root
from lambda_rds.packaging.layer import LayerSpec, build_layer, read_requirements
from lambda_rds.packaging.model import Artifact, PackagingError
from lambda_rds.packaging.zipper import DEFAULT_EXCLUDES, build_function_zip

__all__ = [
    "DEFAULT_EXCLUDES",
    "Artifact",
    "LayerSpec",
    "PackagingError",
    "build_function_zip",
    "build_layer",
    "cache_root",
    "read_requirements",
]
