"""The analysis model: resources read from any source, indexed into views, paths and values."""
