"""Readers turn delivered bytes (CSV, XLSX, documents) into rows and text."""
