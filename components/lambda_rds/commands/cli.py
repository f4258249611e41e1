"""`lambda-rds` command line: plan | doctor | prices | schema | deployer-policy.

Each subcommand lives in its own module exposing ``add_arguments(parser)`` and ``run(args) -> int``;
they are imported only when chosen, so `lambda-rds --help` stays instant and `doctor` alone needs boto3.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from lambda_rds._version import __version__

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "plan": (
        "lambda_rds.commands.plan",
        "offline preview: resources, reachability, security findings and monthly cost (no AWS, no CLI)",
    ),
    "doctor": (
        "lambda_rds.doctor.command",
        "diagnose a deployed function's path to its database (read-only AWS calls; changes nothing)",
    ),
    "prices": (
        "lambda_rds.commands.prices",
        "build a price file for any region from the AWS Price List Query API (needs boto3 and credentials)",
    ),
    "schema": ("lambda_rds.commands.schema", "write the multi-language Pulumi package schema"),
    "deployer-policy": (
        "lambda_rds.commands.deployer_policy",
        "print the IAM policy that `pulumi up` of a lambda-rds stack needs (generated from the code)",
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lambda-rds", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"lambda-rds {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if not exc.name or not (module_name == exc.name or module_name.startswith(exc.name + ".")):
                raise  # a real missing dependency inside the command: say so
            continue  # command not part of this build
        doc = (module.__doc__ or help_text).strip()
        cmd = sub.add_parser(
            name, help=help_text, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        module.add_arguments(cmd)
        cmd.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args._run(args))


if __name__ == "__main__":
    sys.exit(main())
