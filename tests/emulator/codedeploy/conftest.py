"""The lifecycle runner runs the hooks of the release tests' bundles (a good build and a broken one), and
instances are released on their demo stack."""

from tests.release.conftest import broken_bundle, bundle, local_traffic, stack

__all__ = ["broken_bundle", "bundle", "local_traffic", "stack"]
