"""Merging an audit bundle by identity: the plan and the rules it must keep."""
