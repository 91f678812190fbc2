"""Shipped rule sets as JSON data (see ``jixiao.rules.ruleset``)."""
