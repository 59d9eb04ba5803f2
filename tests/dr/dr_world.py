"""A primary and a standby region built directly with boto3, shaped like the root stacks' contract.

The DR failure cases run here, a world built in seconds: an RDS primary in us-east-1 and its
cross-region replica in us-west-2, blue/green ASG slots behind a load balancer whose production listener
sends traffic to blue, a CodeDeploy application whose last successful deployment to each region's live
slot is the world's revision, artifact buckets with replication, a hosted zone with failover records and
health checks, the app's SSM settings, and a minimal `relay-<env>` stack in each region whose outputs
carry the contract names. The primary's database holds the app's schema (its migrations), and each
region's app settings name its database and the RDS-managed secret, as the app stack writes them.

Relay's code runs unchanged on it: DR reads the live release from CodeDeploy and smoke-tests the standby
through its listener. What the world simplifies is the app: its revision starts `world_app.py`, which
answers the probes and declares no write checks. The full stacks with Relay's API released in both
regions are test_real_stacks.py's.
"""

from __future__ import annotations

import io
import json
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from app.aws_config import read_credentials
from app.migrate import upgrade
from relay.aws import AwsFactory
from relay.contract import read_root_stack
from relay.release.layout import listener_endpoint
from tests.emulator.polling import wait_until

PRIMARY, STANDBY = "us-east-1", "us-west-2"
BUNDLE_KEY = "bundles/sha256/0123abcd.zip"
OUTPUT_NAMES = [
    "CodeDeployApplication",
    "ListenerArn",
    "TestListenerArn",
    "BlueTargetGroupArn",
    "GreenTargetGroupArn",
    "BlueDeploymentGroup",
    "GreenDeploymentGroup",
    "DbInstanceIdentifier",
    "DbInstanceArn",
    "DbEndpointAddress",
    "DbEndpointPort",
    "BlueAsgName",
    "GreenAsgName",
    "ActiveSlot",
    "ArtifactBucket",
    "AppConfigParameterPath",
    "HealthCheckId",
    "HostedZoneId",
    "RecordName",
    "AlbDnsName",
]
PRODUCTION_SIZE, WARM_SIZE = 2, 1
DB_NAME = "relay"
APP_PORT = 8000  # relay.yaml's `app.port`, the target groups' port
CODEDEPLOY_ROLE = "arn:aws:iam::123456789012:role/relay-codedeploy"
START_HOOK = """#!/usr/bin/env bash
# ApplicationStart: the world's app on the instance's port, detached from the agent's hook.
set -euo pipefail
setsid "$RELAY_PYTHON" "$(dirname "$0")/world_app.py" "$RELAY_APP_PORT" </dev/null >/dev/null 2>&1 &
"""
APPSPEC = """version: 0.0
os: linux
hooks:
  ApplicationStart:
    - location: start.sh
      timeout: 30
"""


def revision() -> bytes:
    """The world's CodeDeploy revision: an appspec whose ApplicationStart starts `world_app.py`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text, mode in (
            ("appspec.yml", APPSPEC, 0o644),
            ("start.sh", START_HOOK, 0o755),
            ("world_app.py", (Path(__file__).parent / "world_app.py").read_text(), 0o644),
        ):
            entry = zipfile.ZipInfo(name)
            entry.external_attr = (0o100000 | mode) << 16
            archive.writestr(entry, text)
    return buffer.getvalue()


def _template() -> str:
    parameters = {name: {"Type": "String", "Default": ""} for name in OUTPUT_NAMES}
    outputs = {name: {"Value": {"Ref": name}} for name in OUTPUT_NAMES}
    resources = {
        "Marker": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": "dr-test"}}
    }
    return json.dumps({"Parameters": parameters, "Resources": resources, "Outputs": outputs})


@dataclass
class World:
    aws: AwsFactory
    env: str
    emulator_port: int

    @property
    def db_id(self) -> str:
        return f"relay-{self.env}"

    @property
    def db_subnet_group(self) -> str:
        return f"relay-{self.env}-db"

    @property
    def parameter_group(self) -> str:
        return f"relay-{self.env}-postgres"

    def asg(self, region: str, slot: str) -> str:
        return f"relay-{self.env}-{region}-{slot}"

    def bucket(self, region: str) -> str:
        return f"relay-{self.env}-artifacts-{region}"

    @property
    def application(self) -> str:
        return f"relay-{self.env}"

    def deployment_group(self, slot: str) -> str:
        return f"relay-{self.env}-{slot}"

    def build(self) -> None:
        outputs = {region: self._region(region) for region in (PRIMARY, STANDBY)}
        self._database(outputs)
        self._buckets(outputs)
        self._dns(outputs)
        for region, values in outputs.items():
            self.aws.client("cloudformation", region).create_stack(
                StackName=f"relay-{self.env}",
                TemplateBody=_template(),
                Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()],
            )
        for region in (PRIMARY, STANDBY):
            self.deploy_revision(region)

    def _region(self, region: str) -> dict[str, str]:
        ec2, autoscaling = self.aws.client("ec2", region), self.aws.client("autoscaling", region)
        template = ec2.create_launch_template(
            LaunchTemplateName=f"relay-{self.env}",
            LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"},
        )["LaunchTemplate"]["LaunchTemplateId"]
        outputs = self._load_balancer(region)
        live = PRODUCTION_SIZE if region == PRIMARY else WARM_SIZE
        for slot, size in (("blue", live), ("green", 0)):
            autoscaling.create_auto_scaling_group(
                AutoScalingGroupName=self.asg(region, slot),
                LaunchTemplate={"LaunchTemplateId": template, "Version": "$Latest"},
                MinSize=size,
                MaxSize=4,
                DesiredCapacity=size,
                AvailabilityZones=[f"{region}a"],
                TargetGroupARNs=[outputs[f"{slot.capitalize()}TargetGroupArn"]],
            )
        deploy = self.aws.client("codedeploy", region)
        deploy.create_application(applicationName=self.application, computePlatform="Server")
        for slot in ("blue", "green"):
            deploy.create_deployment_group(
                applicationName=self.application,
                deploymentGroupName=self.deployment_group(slot),
                serviceRoleArn=CODEDEPLOY_ROLE,
                autoScalingGroups=[self.asg(region, slot)],
                deploymentConfigName="CodeDeployDefault.AllAtOnce",
            )
        path = f"/relay/{self.env}/app/"
        ssm = self.aws.client("ssm", region)
        ssm.put_parameter(
            Name=path + "DATABASE_READ_ONLY", Value=str(region != PRIMARY).lower(), Type="String"
        )
        return {
            **outputs,
            "BlueAsgName": self.asg(region, "blue"),
            "GreenAsgName": self.asg(region, "green"),
            "BlueDeploymentGroup": self.deployment_group("blue"),
            "GreenDeploymentGroup": self.deployment_group("green"),
            "CodeDeployApplication": self.application,
            "ActiveSlot": "blue",
            "ArtifactBucket": self.bucket(region),
            "AppConfigParameterPath": path,
        }

    def _load_balancer(self, region: str) -> dict[str, str]:
        """An ALB: production listener (80) sends all traffic to blue, test listener (8080) to green."""
        ec2, elbv2 = self.aws.client("ec2", region), self.aws.client("elbv2", region)
        vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24", AvailabilityZone=f"{region}{zone}")[
                "Subnet"
            ]["SubnetId"]
            for i, zone in enumerate("ab")
        ]
        balancer = elbv2.create_load_balancer(Name=f"relay-{self.env}", Subnets=subnets)["LoadBalancers"][0]
        groups = {
            slot: elbv2.create_target_group(
                Name=f"relay-{self.env}-{slot}",
                Protocol="HTTP",
                Port=APP_PORT,
                VpcId=vpc,
                HealthCheckPath="/readyz",
                HealthCheckIntervalSeconds=5,
                HealthyThresholdCount=2,
            )["TargetGroups"][0]["TargetGroupArn"]
            for slot in ("blue", "green")
        }

        def listener(port: int, weights: dict[str, int]) -> str:
            forward = [{"TargetGroupArn": groups[slot], "Weight": weight} for slot, weight in weights.items()]
            return str(
                elbv2.create_listener(
                    LoadBalancerArn=balancer["LoadBalancerArn"],
                    Protocol="HTTP",
                    Port=port,
                    DefaultActions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": forward}}],
                )["Listeners"][0]["ListenerArn"]
            )

        return {
            "AlbDnsName": balancer["DNSName"],
            "ListenerArn": listener(80, {"blue": 1, "green": 0}),
            "TestListenerArn": listener(8080, {"green": 1}),
            "BlueTargetGroupArn": groups["blue"],
            "GreenTargetGroupArn": groups["green"],
        }

    def deploy_revision(self, region: str) -> None:
        """The world's revision deployed to the live slot from the region's bucket (the standby's copy came by
        S3 replication): what DR reads as the live release, and what serves behind the listener."""
        deploy = self.aws.client("codedeploy", region)
        deployment = deploy.create_deployment(
            applicationName=self.application,
            deploymentGroupName=self.deployment_group("blue"),
            revision={
                "revisionType": "S3",
                "s3Location": {"bucket": self.bucket(region), "key": BUNDLE_KEY, "bundleType": "zip"},
            },
        )["deploymentId"]

        def succeeded() -> bool:
            status = deploy.get_deployment(deploymentId=deployment)["deploymentInfo"]["status"]
            assert status not in ("Failed", "Stopped"), f"the world's deployment in {region} {status}"
            return bool(status == "Succeeded")

        # Within the hook's own timeout (30 s): an instance's first deployment boots it, on a busy machine.
        wait_until(succeeded, f"the world's revision to deploy in {region}", timeout=60)

    def _database(self, outputs: dict[str, dict[str, str]]) -> None:
        name = self.db_id
        ec2 = self.aws.client("ec2", PRIMARY)
        vpc = ec2.create_vpc(CidrBlock="10.10.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.10.{i}.0/24", AvailabilityZone=f"{PRIMARY}{zone}")[
                "Subnet"
            ]
            for i, zone in enumerate("ab")
        ]
        self.aws.client("rds", PRIMARY).create_db_subnet_group(
            DBSubnetGroupName=self.db_subnet_group,
            DBSubnetGroupDescription="the primary's private subnets",
            SubnetIds=[subnet["SubnetId"] for subnet in subnets],
        )
        for region in (PRIMARY, STANDBY):  # each region's own group, as the data stack's (DR fences with it)
            self.aws.client("rds", region).create_db_parameter_group(
                DBParameterGroupName=self.parameter_group,
                DBParameterGroupFamily="postgres15",
                Description="the database's settings",
            )
        primary = self.aws.client("rds", PRIMARY).create_db_instance(
            DBSubnetGroupName=self.db_subnet_group,
            DBParameterGroupName=self.parameter_group,
            DBInstanceIdentifier=name,
            Engine="postgres",
            DBInstanceClass="db.t4g.micro",
            AllocatedStorage=20,
            DBName=DB_NAME,
            MasterUsername="relay",
            ManageMasterUserPassword=True,
        )["DBInstance"]
        wait_until(lambda: self.db(PRIMARY)["DBInstanceStatus"] == "available", "the primary to be available")
        replica = self.aws.client("rds", STANDBY).create_db_instance_read_replica(
            DBInstanceIdentifier=name,
            SourceDBInstanceIdentifier=primary["DBInstanceArn"],
            SourceRegion=PRIMARY,
            DBParameterGroupName=self.parameter_group,
        )["DBInstance"]
        secret = primary["MasterUserSecret"]["SecretArn"]  # a replica logs in with its source's users
        upgrade(self._url(PRIMARY, secret))
        app_login = self._app_login(secret)
        for region, db in ((PRIMARY, primary), (STANDBY, replica)):
            outputs[region].update(
                DbInstanceIdentifier=name,
                DbInstanceArn=db["DBInstanceArn"],
                DbEndpointAddress=db["Endpoint"]["Address"],
                DbEndpointPort=str(db["Endpoint"]["Port"]),
            )
            settings = {
                "DATABASE_HOST": db["Endpoint"]["Address"],
                "DATABASE_PORT": str(db["Endpoint"]["Port"]),
                "DATABASE_NAME": DB_NAME,
                "DATABASE_SECRET_ARN": app_login[region],
                "DATABASE_MASTER_SECRET_ARN": secret,
            }
            path, ssm = outputs[region]["AppConfigParameterPath"], self.aws.client("ssm", region)
            for setting, value in settings.items():
                ssm.put_parameter(Name=path + setting, Value=value, Type="String")
        wait_until(lambda: self.db(STANDBY)["DBInstanceStatus"] == "available", "the replica to be available")

    def _app_login(self, master_secret_arn: str) -> dict[str, str]:
        """The app's own login, as the migration step makes it (app/db_roles.py): a role on the primary,
        which replicates with the database, and its secret in each region (replicated by Secrets Manager
        in the stacks); a promoted writer's new master password leaves it working."""
        password = secrets.token_urlsafe(24)
        with self.connect(PRIMARY, master_secret_arn) as connection:
            connection.execute(
                sql.SQL("CREATE ROLE relay_app LOGIN PASSWORD {}").format(sql.Literal(password))
            )
            connection.execute(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO relay_app"
            )
            connection.execute("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO relay_app")
        value = json.dumps({"username": "relay_app", "password": password})
        return {
            region: self.aws.client("secretsmanager", region).create_secret(
                Name=f"relay-{self.env}/database/app", SecretString=value
            )["ARN"]
            for region in (PRIMARY, STANDBY)
        }

    def secret_arn(self, region: str) -> str:
        """The RDS-managed master secret of the region's instance (a writer's own, or its source's)."""
        return str(self.db(region)["MasterUserSecret"]["SecretArn"])

    def _url(self, region: str, secret_arn: str) -> str:
        user, password = read_credentials(
            self.aws.client("secretsmanager", secret_arn.split(":")[3]), secret_arn
        )
        endpoint = self.db(region)["Endpoint"]
        return f"postgresql+psycopg://{user}:{password}@{endpoint['Address']}:{endpoint['Port']}/{DB_NAME}"

    def connect(self, region: str, secret_arn: str) -> psycopg.Connection[tuple[Any, ...]]:
        """An autocommit connection to the app's database on the region's instance, with that login."""
        return psycopg.connect(self._url(region, secret_arn).replace("+psycopg", ""), autocommit=True)

    def place_orders(self, count: int, region: str = PRIMARY) -> list[int]:
        """`count` orders committed on the region's writer, as the app writes them; their ids."""
        with self.connect(region, self.secret_arn(region)) as connection:
            rows = connection.execute(
                "INSERT INTO orders (status, total_cents, created_at, updated_at) "
                "SELECT 'placed', 100 * n, now(), now() FROM generate_series(1, %s) AS n RETURNING id",
                (count,),
            ).fetchall()
        return [row[0] for row in rows]

    def orders(self, region: str, secret_region: str) -> set[int]:
        """The order ids the region's instance holds, read with the login of `secret_region`'s instance."""
        with self.connect(region, self.secret_arn(secret_region)) as connection:
            return {row[0] for row in connection.execute("SELECT id FROM orders")}

    def replicated(self, ids: list[int], replica: str = STANDBY, writer: str = PRIMARY) -> None:
        """Wait until the replica has replayed these orders (a lag of 0)."""
        wait_until(lambda: set(ids) <= self.orders(replica, writer), "the replica to replay the orders")

    def db(self, region: str) -> dict[str, Any]:
        rds = self.aws.client("rds", region)
        instance: dict[str, Any] = rds.describe_db_instances(DBInstanceIdentifier=self.db_id)["DBInstances"][
            0
        ]
        return instance

    def _buckets(self, outputs: dict[str, dict[str, str]]) -> None:
        s3 = self.aws.client("s3", PRIMARY)
        for region in (PRIMARY, STANDBY):
            config = (
                {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
            )
            s3.create_bucket(Bucket=self.bucket(region), **config)
            s3.put_bucket_versioning(
                Bucket=self.bucket(region), VersioningConfiguration={"Status": "Enabled"}
            )
        s3.put_bucket_replication(
            Bucket=self.bucket(PRIMARY),
            ReplicationConfiguration={
                "Role": "arn:aws:iam::123456789012:role/relay-replication",
                "Rules": [
                    {
                        "ID": "bundles",
                        "Priority": 1,
                        "Status": "Enabled",
                        "Filter": {"Prefix": "bundles/"},
                        "DeleteMarkerReplication": {"Status": "Disabled"},
                        "Destination": {"Bucket": f"arn:aws:s3:::{self.bucket(STANDBY)}"},
                    }
                ],
            },
        )
        s3.put_object(Bucket=self.bucket(PRIMARY), Key=BUNDLE_KEY, Body=revision())
        wait_until(lambda: _exists(s3, self.bucket(STANDBY), BUNDLE_KEY), "the bundle to replicate")

    def retire(self) -> None:
        """Every slot scaled to 0: the world's instances terminate and their apps exit (tests run on)."""
        for region in (PRIMARY, STANDBY):
            autoscaling = self.aws.client("autoscaling", region)
            for slot in ("blue", "green"):
                autoscaling.update_auto_scaling_group(
                    AutoScalingGroupName=self.asg(region, slot), MinSize=0, DesiredCapacity=0
                )

    def through_listener(self, region: str, path: str) -> tuple[int, object]:
        """A GET through the region's production listener, as clients reach it."""
        stack = read_root_stack(self.aws, self.env, region)
        return listener_endpoint(self.aws, stack, stack.listener_arn).request("GET", path, timeout=5)

    def _dns(self, outputs: dict[str, dict[str, str]]) -> None:
        route53 = self.aws.client("route53")
        zone = route53.create_hosted_zone(
            Name=f"{self.env}.relay.example.", CallerReference=f"relay-{self.env}"
        )
        zone_id = zone["HostedZone"]["Id"].split("/")[-1]
        record = f"api.{self.env}.relay.example."
        # Route 53 probes each region's load balancer for real, as the dns template's checks do.
        changes = []
        for region, values in outputs.items():
            check_id = route53.create_health_check(
                CallerReference=f"relay-{self.env}-{region}",
                HealthCheckConfig={
                    "Type": "HTTP",
                    "FullyQualifiedDomainName": values["AlbDnsName"],
                    "Port": 80,
                    "ResourcePath": "/readyz",
                    "RequestInterval": 10,
                    "FailureThreshold": 3,
                },
            )["HealthCheck"]["Id"]
            outputs[region].update(HealthCheckId=check_id, HostedZoneId=zone_id, RecordName=record)
            changes.append(
                {
                    "Action": "CREATE",
                    "ResourceRecordSet": {
                        "Name": record,
                        "Type": "CNAME",
                        "SetIdentifier": f"relay-{self.env}-{region}",
                        "Failover": "PRIMARY" if region == PRIMARY else "SECONDARY",
                        "TTL": 60,
                        "HealthCheckId": check_id,
                        "ResourceRecords": [{"Value": outputs[region]["AlbDnsName"]}],
                    },
                }
            )
        route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes})

    def snapshot(self) -> dict[str, Any]:
        """Everything DR may change, to compare before and after."""
        state: dict[str, Any] = {}
        for region in (PRIMARY, STANDBY):
            db = self.db(region)
            state[f"{region}/db"] = (db["DBInstanceStatus"], db.get("ReadReplicaSourceDBInstanceIdentifier"))
            names = [self.asg(region, slot) for slot in ("blue", "green")]
            groups = self.aws.client("autoscaling", region).describe_auto_scaling_groups(
                AutoScalingGroupNames=names
            )
            state[f"{region}/asg"] = [
                (g["MinSize"], g["DesiredCapacity"]) for g in groups["AutoScalingGroups"]
            ]
            ssm = self.aws.client("ssm", region)
            params = ssm.get_parameters_by_path(Path=f"/relay/{self.env}/", Recursive=True)["Parameters"]
            state[f"{region}/ssm"] = sorted((p["Name"], p["Value"]) for p in params)
        state["dns"] = sorted((r.get("SetIdentifier", ""), r.get("Failover", "")) for r in self._records())
        return state

    def _records(self) -> list[dict[str, Any]]:
        route53 = self.aws.client("route53")
        zones = route53.list_hosted_zones_by_name(DNSName=f"{self.env}.relay.example.")["HostedZones"]
        records: list[dict[str, Any]] = route53.list_resource_record_sets(HostedZoneId=zones[0]["Id"])[
            "ResourceRecordSets"
        ]
        return records

    def failover_role(self, region: str) -> str:
        return next(
            r["Failover"] for r in self._records() if r.get("SetIdentifier") == f"relay-{self.env}-{region}"
        )


def _exists(s3: Any, bucket: str, key: str) -> bool:
    return bool(s3.list_objects_v2(Bucket=bucket, Prefix=key).get("KeyCount"))
