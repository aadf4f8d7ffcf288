"""The statistics: scores and compliance, and change between audits."""
