"""What the taskcat standby test replicates from, made by the run that uses it.

taskcat tests run in parallel and cannot read each other's outputs, so the standby test (.taskcat.yml)
replicates from a database made beforehand: `relay-taskcat-source` in the primary region, with its
RDS-managed secret and automated backups (a cross-region replica needs them). Its ARN and its secret's
ARN go to SSM parameters in the standby region, where taskcat's `$[taskcat_ssm_...]` reads them: the
config names no account and no secret, so it runs unchanged in any test account (and on the emulator).

    python -m relay.stacks.taskcat_source create --region us-east-1 --standby-region us-west-2
    python -m relay.stacks.taskcat_source delete --region us-east-1 --standby-region us-west-2
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from relay.aws import AwsFactory
from relay.waiting import wait_with

SOURCE_DB = "relay-taskcat-source"
SOURCE_ARN_PARAMETER = "/relay/taskcat/source-db-arn"
SOURCE_SECRET_PARAMETER = "/relay/taskcat/source-db-secret-arn"  # noqa: S105 - the name of an ARN, not a secret
WAIT_SECONDS = 1800.0


def create(aws: AwsFactory, region: str, standby_region: str) -> None:
    """Make the source database (or keep the one there) and publish its ARNs to the standby region."""
    rds = aws.client("rds", region)
    found = rds.describe_db_instances(Filters=[{"Name": "db-instance-id", "Values": [SOURCE_DB]}])
    if not found["DBInstances"]:
        rds.create_db_instance(
            DBInstanceIdentifier=SOURCE_DB,
            Engine="postgres",
            DBInstanceClass="db.t4g.micro",
            AllocatedStorage=20,
            MasterUsername="relay",
            ManageMasterUserPassword=True,
            StorageEncrypted=True,
            BackupRetentionPeriod=1,
            DeletionProtection=False,
        )
    wait_with(
        rds,
        "db_instance_available",
        what=f"database {SOURCE_DB} to be available",
        timeout=WAIT_SECONDS,
        DBInstanceIdentifier=SOURCE_DB,
    )
    source = rds.describe_db_instances(DBInstanceIdentifier=SOURCE_DB)["DBInstances"][0]
    ssm = aws.client("ssm", standby_region)
    for name, value in (
        (SOURCE_ARN_PARAMETER, source["DBInstanceArn"]),
        (SOURCE_SECRET_PARAMETER, source["MasterUserSecret"]["SecretArn"]),
    ):
        ssm.put_parameter(Name=name, Value=value, Type="String", Overwrite=True)


def delete(aws: AwsFactory, region: str, standby_region: str) -> None:
    """Remove the source database and its parameters; what is already gone is fine."""
    ssm = aws.client("ssm", standby_region)
    ssm.delete_parameters(Names=[SOURCE_ARN_PARAMETER, SOURCE_SECRET_PARAMETER])
    rds = aws.client("rds", region)
    if rds.describe_db_instances(Filters=[{"Name": "db-instance-id", "Values": [SOURCE_DB]}])["DBInstances"]:
        rds.delete_db_instance(DBInstanceIdentifier=SOURCE_DB, SkipFinalSnapshot=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m relay.stacks.taskcat_source", description=__doc__)
    parser.add_argument("action", choices=["create", "delete"])
    parser.add_argument("--region", required=True, help="the primary region (the source database's)")
    parser.add_argument("--standby-region", required=True, help="where the standby test runs")
    arguments = parser.parse_args(argv)
    action = create if arguments.action == "create" else delete
    action(AwsFactory(), arguments.region, arguments.standby_region)
    return 0


if __name__ == "__main__":
    sys.exit(main())
