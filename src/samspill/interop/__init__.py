"""Converters between files (BORIS, ELAN, SDIS, CSV, XLSX, SPSS, Parquet) and plain data.

A shell module: it reads and writes bytes, never the database or the web; see docs/interop.md.
"""
