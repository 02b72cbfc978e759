"""The version of trustkit (read by the build backend and by ``trustkit.__version__``)."""

__version__ = "0.2.0"
