"""Test and benchmark rigs for Tipline: live servers, the S3 test server, shared
helpers for tests. Not part of the product: it lives next to ``bench/`` and is not
in the built distribution (see pyproject.toml and tipline/lib/tests/test_dist.py)."""
