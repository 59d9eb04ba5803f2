"""Renderers of a scan report, one module per output kind: a table for people (table.scan_table), JSON for
machines (json_report.scan_document) and JUnit XML for Jenkins (junit.scan_junit)."""
