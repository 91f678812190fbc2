"""Jixiao (绩效): whole-process budget performance management."""
