"""Tests of the staff back office."""
