"""The package version (read by hatch for the wheel and by `lambda-rds --version`)."""

__version__ = "0.1.0"
