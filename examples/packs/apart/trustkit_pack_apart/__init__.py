"""Data-only package: the folder ``data`` holds the trustkit content pack ``apart``."""
