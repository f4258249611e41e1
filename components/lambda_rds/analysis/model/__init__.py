"""The analysis model: resources read from any source, indexed into views, paths and values."""

from lambda_rds.analysis.model.build import build_model

__all__ = ["build_model"]
