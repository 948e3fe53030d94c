"""Test helpers for the xapi and cmi5 exporters: a real Ralph LRS and a small cmi5 LMS."""
