"""Test helpers shared by the apps' tests."""
