"""Diagnose why a deployed Lambda function cannot reach its database, from the live account.

Reads the function (configuration, reserved concurrency, role and its policies), the RDS instance, Aurora
cluster or RDS Proxy its DB_HOST names (or --db), the secret's metadata, and every VPC on the path
(subnets, route tables, internet and NAT gateways, VPC endpoints, security groups, network ACLs); then
runs the same reachability checks as `lambda-rds plan` and prints each check's verdict and, for each
failure, the exact cause and the fix (with the aws CLI command), in the order to apply them.

With --vpc instead of --function, before the first `up` into a VPC you bring (network.vpc_id): reads its
owner, DNS attributes, interface endpoints and private hosted zones (and, with --subnet-ids, the zones each
endpoint service is offered in), and says whether the component's endpoints (egress `endpoints`:
--endpoint-services) can go there; exit status 1 when they cannot.

READ ONLY: doctor makes only Describe*, Get* and List* calls (enforced in code) and never changes anything
in the account. The one exception is --probe, which calls lambda:Invoke once with the event
{"lambda_rds_probe": true}: the function (if its handler answers the probe, as lambda-rds's runtime does)
resolves the database host, opens TCP, negotiates TLS, gets credentials and logs in with SELECT 1, and
returns the timings. Nothing is written.

AWS configuration as usual: --profile or AWS_PROFILE, --region or AWS_REGION / AWS_DEFAULT_REGION,
AWS_ENDPOINT_URL(_<SERVICE>) for a different endpoint. Throttling is retried (botocore standard mode).
Never a silent wait: each read is announced on stderr (--quiet: not), gives up after 10 s, and the whole
reading stops at --timeout (default 45 s); what was not read in time is a note and its checks say unknown.

Exit status: 0 every check passed (or could not be decided); 1 a check failed, AWS reports a state
nothing connects through (a stopped database, an unavailable proxy target), or the probe failed;
2 doctor could not run (function or database not found, no credentials, no region, access denied).
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from lambda_rds.doctor.aws import Aws


def add_arguments(parser: argparse.ArgumentParser) -> None:
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--function",
        metavar="NAME",
        help="the Lambda function (name or ARN) whose path to the database to diagnose",
    )
    what.add_argument(
        "--vpc",
        metavar="VPC_ID",
        help="before the first `up` into a VPC you bring (network.vpc_id): check its DNS attributes and "
        "look for interface endpoints with private DNS that would conflict with the component's",
    )
    parser.add_argument(
        "--endpoint-services",
        default="secretsmanager",
        metavar="LIST",
        help="with --vpc: the services the component will make interface endpoints for, comma-separated "
        "(default: secretsmanager, what auth 'secret' with egress 'endpoints' adds; add "
        "network.endpoint_services)",
    )
    parser.add_argument(
        "--subnet-ids",
        default="",
        metavar="LIST",
        help="with --vpc: the subnets you will bring (network.private_subnet_ids), comma-separated: checks "
        "that each endpoint service is offered in their Availability Zones",
    )
    parser.add_argument(
        "--db",
        metavar="ID",
        help="the database or proxy to check against: an instance, cluster or proxy identifier, "
        "or an endpoint (default: the one the function's DB_HOST names)",
    )
    parser.add_argument(
        "--region", help="AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's)"
    )
    parser.add_argument("--profile", help="AWS profile from ~/.aws/config (default: AWS_PROFILE or default)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="report format")
    parser.add_argument(
        "--probe",
        action="store_true",
        help='also invoke the function once with {"lambda_rds_probe": true} and report measured '
        "DNS/TCP/TLS/auth timings (the only non-read call: lambda:Invoke; off by default)",
    )
    parser.add_argument(
        "--no-shared",
        dest="shared",
        action="store_false",
        help="do not list the account's functions to find others sharing the database "
        "(their concurrency then is not counted against max_connections)",
    )
    parser.add_argument("--output", "-o", type=Path, help="write the report to this file instead of stdout")
    parser.add_argument(
        "--timeout",
        type=float,
        default=45.0,
        metavar="SECONDS",
        help="overall deadline for reading the account (default: 45); what is not read by then is reported "
        "as 'could not read ... in time' and its checks say unknown. Each read also gives up after 10 s",
    )
    parser.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="no progress lines on stderr (by default each AWS read is announced there as it starts)",
    )


# What the `doctor` extra in pyproject.toml adds (a test keeps the two equal). The hint installs it
# directly into the interpreter running this command: lambda-rds is not on PyPI, so installing the extra by
# the package's name would find nothing, and a bare `pip` may belong to another environment.
DOCTOR_REQUIREMENT = "boto3>=1.34"
_MISSING_BOTO3 = (
    f"boto3 is not installed (doctor reads AWS with it): "
    f"{shlex.quote(sys.executable)} -m pip install {shlex.quote(DOCTOR_REQUIREMENT)}"
)


def _fail(message: str) -> int:
    sys.stderr.write(f"lambda-rds doctor: {message}\n")
    return 2


def _progress(started: float) -> Callable[[str], None]:
    """One stderr line per AWS read, with the time since the start: a slow account is never a silent wait."""

    def show(operation: str) -> None:
        sys.stderr.write(f"lambda-rds doctor: [{time.perf_counter() - started:5.1f}s] reading {operation}\n")
        sys.stderr.flush()

    return show


def _region(args: argparse.Namespace, session: object) -> str | None:
    # botocore reads AWS_DEFAULT_REGION and the profile, not AWS_REGION (which Lambda and most tools set).
    return args.region or os.environ.get("AWS_REGION") or getattr(session, "region_name", None)


def run(args: argparse.Namespace) -> int:
    """Read, check, report; returns the exit status (see the module docstring)."""
    try:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound
        from botocore.parsers import ResponseParserError
    except ModuleNotFoundError:
        return _fail(_MISSING_BOTO3)

    from lambda_rds.doctor import probe as probe_mod
    from lambda_rds.doctor import source
    from lambda_rds.doctor.aws import Aws, AwsError, DeadlineExceeded, ReadOnlyViolation
    from lambda_rds.doctor.report import DoctorReport, diagnose, render

    started = time.perf_counter()
    try:
        session = boto3.Session(profile_name=args.profile)
    except ProfileNotFound as exc:
        return _fail(str(exc))
    region = _region(args, session)
    if not region:
        return _fail("no region: pass --region or set AWS_REGION")
    if args.timeout <= 0:
        return _fail(f"--timeout must be a positive number of seconds, not {args.timeout:g}")
    aws = Aws(
        session,
        region,
        allow={"Invoke"} if args.probe else (),
        deadline=args.timeout,
        progress=None if args.quiet else _progress(started),
    )
    if args.vpc:
        return _brought_vpc(aws, args)
    try:
        snapshot = source.read(aws, args.function, args.db, include_siblings=args.shared)
    except AwsError as exc:
        return _fail(str(exc))
    except NoCredentialsError:
        return _fail("no AWS credentials: set AWS_PROFILE, or run `aws configure` / `aws sso login`")
    except ReadOnlyViolation as exc:  # a bug, never a request sent: say so loudly
        return _fail(f"internal error: {exc}")
    except DeadlineExceeded as exc:
        return _fail(f"could not read the account in time: {exc}")
    except (ClientError, BotoCoreError, ResponseParserError) as exc:
        return _fail(f"AWS call failed: {exc}")

    model, verdicts, steps = diagnose(snapshot)
    report = DoctorReport(snapshot, model, verdicts, steps)
    if args.probe:
        fn = next((f for f in model.functions if f.name == snapshot.function), None)
        report.probe = probe_mod.invoke(
            aws, snapshot.function_arn or snapshot.function, fn.timeout if fn else 60
        )
    report.api_calls = dict(aws.calls)
    report.seconds = time.perf_counter() - started
    text = render(report, args.format)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return report.exit_code


def _brought_vpc(aws: Aws, args: argparse.Namespace) -> int:
    """`--vpc`: the pre-deploy check of a brought VPC (lambda_rds.doctor.brought_vpc)."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    from lambda_rds.doctor import brought_vpc
    from lambda_rds.doctor.aws import DeadlineExceeded, ReadOnlyViolation

    services = [s.strip() for s in str(args.endpoint_services).split(",") if s.strip()]
    subnets = [s.strip() for s in str(args.subnet_ids).split(",") if s.strip()]
    try:
        result = brought_vpc.check(aws, args.vpc, services, subnets)
    except NoCredentialsError:
        return _fail("no AWS credentials: set AWS_PROFILE, or run `aws configure` / `aws sso login`")
    except ReadOnlyViolation as exc:  # a bug, never a request sent: say so loudly
        return _fail(f"internal error: {exc}")
    except DeadlineExceeded as exc:
        return _fail(f"could not read the VPC in time: {exc}")
    except (ClientError, BotoCoreError) as exc:
        if type(exc).__name__ in ("ReadTimeoutError", "ConnectTimeoutError"):
            return _fail(f"could not read the VPC in time: {exc}")
        return _fail(f"AWS call failed: {exc}")
    text = brought_vpc.render(result, args.format)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return result.exit_code
