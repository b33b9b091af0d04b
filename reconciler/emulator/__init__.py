"""A local TEL4VN campaign API (standard library only), faithful to the vendor docs.

The README quick start and the test suite run against it over real HTTP.
"""

from reconciler.emulator.server import EmulatorServer

__all__ = ["EmulatorServer"]
