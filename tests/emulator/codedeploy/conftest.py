"""The lifecycle runner runs the hooks of the release tests' bundles (a good build and a broken one)."""

from tests.release.conftest import broken_bundle, bundle

__all__ = ["broken_bundle", "bundle"]
