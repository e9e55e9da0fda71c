"""Analytical predictions, each checked against simulation in the tests."""
