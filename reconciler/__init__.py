"""reconciler: declarative YAML manifests for TEL4VN autocall campaigns (plan / apply / drift)."""

__version__ = "0.1.0"
