"""The dependency layers, one per (runtime, architecture) in use.

Each holds the runtime package, its database drivers and the CA bundle."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from lambda_rds import packaging
from lambda_rds.packaging.paths import functions_dir
from lambda_rds.resources.lambda_function import BOOTSTRAP_ARCH, BOOTSTRAP_RUNTIME
from lambda_rds.resources.scope import Scope
from lambda_rds.rules import facts_lambda
from lambda_rds.rules.identifiers import fit
from lambda_rds.settings import FunctionSettings, Settings

RUNTIME_PACKAGE = "lambda_rds_runtime"


@dataclass(frozen=True)
class Layers:
    by_target: dict[tuple[str, str], aws.lambda_.LayerVersion]
    """Layer by (runtime, architecture value)."""

    def for_function(self, fn: FunctionSettings) -> aws.lambda_.LayerVersion:
        return self.by_target[(fn.runtime, fn.architecture.value)]

    @property
    def bootstrap(self) -> aws.lambda_.LayerVersion:
        """The layer of the component's own functions (bootstrap, rotation); its ARN is exported."""
        return self.by_target[(BOOTSTRAP_RUNTIME, BOOTSTRAP_ARCH.value)]


def layer_name(name: str, key: str) -> str:
    """``<component>-<project>-<stack>-deps-<key>``: unique per project, stack and component.

    PublishLayerVersion (facts_lambda.LAYER_NAME_SOURCE): 1..140 of [a-zA-Z0-9-_], so the '.' a project
    or stack name may hold becomes '-', and a long result is cut with a digest.
    """
    raw = f"{name}-{pulumi.get_project()}-{pulumi.get_stack()}-deps-{key}"
    return fit(re.sub(r"[^a-zA-Z0-9_-]", "-", raw), facts_lambda.LAYER_NAME_MAX)


def build_layers(scope: Scope, s: Settings) -> Layers:
    """One layer per (runtime, architecture) in use, and the component's own functions' one."""
    name = scope.name
    combos = {(fn.runtime, fn.architecture.value) for fn in s.functions} | {
        (BOOTSTRAP_RUNTIME, BOOTSTRAP_ARCH.value)
    }
    layers: dict[tuple[str, str], aws.lambda_.LayerVersion] = {}
    unbuilt: list[str] = []
    note = ""
    for runtime, arch in sorted(combos):
        spec = packaging.LayerSpec.from_requirements_file(
            functions_dir() / "requirements.txt",
            runtime=runtime,
            architecture=arch,
            extra_packages=(functions_dir() / RUNTIME_PACKAGE,),
        )
        artifact = packaging.build_layer(spec)
        if not artifact.built:
            unbuilt.append(f"{runtime}/{arch}")
            note = artifact.note
        key = f"{runtime.replace('.', '')}-{arch.replace('_', '')}"
        layers[(runtime, arch)] = aws.lambda_.LayerVersion(
            f"{name}-layer-{key}",
            layer_name=layer_name(name, key),
            description=f"lambda-rds runtime, database drivers and CA bundle ({runtime}, {arch})",
            code=pulumi.FileArchive(str(artifact.path)),
            source_code_hash=artifact.sha256,
            compatible_runtimes=[runtime],
            compatible_architectures=[arch],
            opts=scope.opts,
        )
    if unbuilt:
        # One line for all of them: under mocks every layer is a placeholder, for the same reason.
        pulumi.log.warn(f"lambda-rds: dependency layer(s) {', '.join(unbuilt)} not built: {note}")
    return Layers(layers)
