"""npssim's version, as installed (read once, for manifests, reports and ``--version``)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("npssim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"
